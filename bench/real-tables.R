# Real public tables for the acceptance check of docs/tables.md#real-tables, written by R's write.csv (NA for a
# missing cell) from Debian's R packages (r-base-core, r-cran-mass, r-cran-ggplot2). Nothing is tuned to them.
#   Rscript bench/real-tables.R OUT_DIR
# writes OUT_DIR/NAME.csv and OUT_DIR/labels.txt (NAME LABEL, a line a table).
out <- commandArgs(trailingOnly = TRUE)[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
suppressPackageStartupMessages({ library(MASS); library(ggplot2) })
set.seed(1)
tables <- list(
  list("msleep", as.data.frame(ggplot2::msleep), "sleep_total"),       # regression; categories with NA, numeric NA
  list("mpg-hwy", as.data.frame(ggplot2::mpg), "hwy"),                 # regression; six string columns
  list("mpg-class", as.data.frame(ggplot2::mpg), "class"),             # 7 classes
  list("cars93-price", MASS::Cars93, "Price"),                         # regression; factors, NA cells
  list("cars93-type", MASS::Cars93, "Type"),                           # 6 classes
  list("survey-height", MASS::survey, "Height"),                       # regression; NA labels dropped
  list("survey-sex", MASS::survey, "Sex"),                             # 2 classes, NA labels dropped
  list("airquality-ozone", datasets::airquality, "Ozone"),             # regression; NA cells and labels
  list("birthwt-low", MASS::birthwt, "low"),                           # 2 classes
  list("diamonds-price", as.data.frame(ggplot2::diamonds)[sample(nrow(ggplot2::diamonds), 5000), ], "price")  # 5,000 of 53,940 rows
)
labels <- character()
for (t in tables) {
  d <- t[[2]]
  # Ordered factors as their level names (what a CSV of them holds).
  for (n in names(d)) if (is.factor(d[[n]])) d[[n]] <- as.character(d[[n]])
  write.csv(d, file.path(out, paste0(t[[1]], ".csv")), row.names = FALSE)
  labels <- c(labels, paste(t[[1]], t[[3]]))
}
writeLines(labels, file.path(out, "labels.txt"))
