/**
 * The static folder of `trainer export-web` and `trainer serve`: index.html, the two bundled scripts and the model,
 * made in memory once so that the written folder and the preview are the same bytes.
 */
import { encodeModel, type Model } from '@hogwild/core';
import { webScripts } from './bundle.ts';

export interface WebFile {
  readonly name: string;
  /** Its Content-Type. */
  readonly type: string;
  readonly bytes: Uint8Array;
}

/** The page's frame; page.js fills #input with the pad or the form once it has read the model. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hogwild model</title>
<link rel="icon" href="data:,">
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; color: #222; }
  #pad { border: 1px solid #888; touch-action: none; cursor: crosshair; max-width: 100%; }
  #features label { display: block; margin: 0.3rem 0; }
  #features input, #features select { margin-left: 0.5rem; width: 10rem; }
  #record label { display: block; margin: 0.3rem 0; }
  #record textarea { width: 100%; box-sizing: border-box; font: inherit; }
  #prediction { font-size: 2rem; }
  #probabilities { list-style: none; padding: 0; }
  #probabilities li { display: grid; grid-template-columns: 8rem 1fr 4rem; gap: 0.5rem; align-items: center; }
  #probabilities .bar { background: #4a7; height: 0.8rem; }
  #probabilities .top { font-weight: bold; }
  #status { color: #b00; }
</style>
</head>
<body>
<h1>hogwild model</h1>
<p id="about">Reading model.safetensors…</p>
<section id="input"></section>
<section id="output">
  <p>Prediction: <output id="prediction"></output></p>
  <ul id="probabilities"></ul>
</section>
<p id="status" role="alert"></p>
<script type="module" src="page.js"></script>
</body>
</html>
`;

/** The folder's files for `model` (re-encoded, so a reference text model is served as safetensors too). */
export async function webSite(model: Model): Promise<WebFile[]> {
  const scripts = await webScripts();
  return [
    { name: 'index.html', type: 'text/html; charset=utf-8', bytes: new TextEncoder().encode(INDEX_HTML) },
    { name: 'infer.js', type: 'text/javascript; charset=utf-8', bytes: scripts['infer.js'] },
    { name: 'page.js', type: 'text/javascript; charset=utf-8', bytes: scripts['page.js'] },
    { name: 'model.safetensors', type: 'application/octet-stream', bytes: encodeModel(model) },
  ];
}
