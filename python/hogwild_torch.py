"""A hogwild model in PyTorch, with its preprocessing and output function:

    from hogwild_torch import load
    model = load('mnist.safetensors')
    probabilities = model(x)   # x: features, as `trainer predict --jsonl` takes arrays (pixels 0-255, encoded columns)

    model = load('fruit.safetensors')                         # a model trained on a table's columns
    rows = list(csv.reader(open('fruit-test.csv', newline='')))
    probabilities = model(model.encode(rows[1:], names=rows[0]))   # raw rows, as `trainer predict --csv` takes them

    model = load('spam.safetensors')                          # a text model (its metadata has a 'featurizer')
    probabilities = model(model.encode(['Free money!!!']).to_dense())   # raw texts, hashed as trainer predict does
    probabilities = model(model.encode([{'subject': 'hi', 'size': 3}]).to_dense())   # records, for several columns

`load` reads the safetensors file written by `trainer run --save` (README "File formats") with nothing but torch
(Debian's python3-torch is enough: no `safetensors` package, no pandas), and returns a `torch.nn.Sequential`:

    Preprocess (the steps in PREPROCESSING: standardisation, then input_scale) -> Linear -> hidden activation -> ...
    -> Linear -> the output function (softmax, sigmoid normalised to sum 1 as `trainer predict` reports it, or for
    regression the linear output back in the target's units, value = z * target_std + target_mean)

so that its outputs are the probabilities (or values) `trainer predict --json` prints. `model.encode(rows)` is a table
model's column encoding (`columns` in the metadata): a missing number becomes its fill, a category its one-hot inputs
(all zeros if unseen), as `trainer predict` reads raw rows; for a text model (a row featurizer in the metadata) it is
encode_records, a sparse tensor of its features by core's encodeRow in pure Python: plain texts for one text column,
dicts naming the columns otherwise (text hashed as docs/text-features.md says, numbers (x - center) / scale or the
fill when missing, categories one-hot). `model.double()` computes in float64
as `trainer predict` does (its float32 default agrees to about 1e-7 relative). The model's class names, feature names, columns, input shape
and whole metadata are attributes of the returned module (`model.classes`, ...).
"""
import functools
import json
import math
import numbers
import re
import struct
from collections.abc import Mapping
from decimal import Decimal

import torch
from torch import nn

__all__ = [
    'load', 'read_safetensors', 'encode', 'parse_cell', 'Preprocess', 'SumToOne', 'Unscale', 'PREPROCESSING',
    'validate_text_featurizer', 'murmur3_32', 'text_tokens', 'encode_text', 'encode_texts',
    'validate_row_featurizer', 'encode_record', 'encode_records',
]

HIDDEN = {'sigmoid': nn.Sigmoid, 'relu': nn.ReLU, 'tanh': nn.Tanh, 'linear': nn.Identity}


# The dtypes a hogwild file holds (a compact one: docs/model-format.md).
DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'I8': torch.int8, 'I32': torch.int32}


def read_safetensors(path):
    """The tensors (as torch tensors: F32, and a compact file's F16, I8, I32) and the string metadata of a safetensors file."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: not a safetensors file ({len(data)} bytes)')
    (length,) = struct.unpack('<Q', data[:8])
    if 8 + length > len(data):
        raise ValueError(f'{path}: header length {length} does not fit in a {len(data)}-byte file')
    header = json.loads(data[8:8 + length])
    meta = header.pop('__metadata__', {}) or {}
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, t in header.items():
        if t['dtype'] not in DTYPES:
            raise ValueError(f'{path}: tensor {name}: dtype {t["dtype"]} is not supported, expected {" or ".join(DTYPES)}')
        begin, end = t['data_offsets']
        dtype = DTYPES[t['dtype']]
        # A copy: frombuffer over bytes is read-only, and the parameters may be trained further.
        values = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        tensors[name] = values.reshape(t['shape'])
    return tensors, meta


# The texts read as a missing value (besides the empty cell), compared without case, as core's preprocess.ts does.
MISSING_TEXTS = frozenset(['', 'na', 'n/a', 'nan', 'null', 'none', '?'])
# A decimal number as JavaScript's Number() reads one (no 0x10, no Infinity, no 1_000: trainer's parseNumber).
DECIMAL = re.compile(r'[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?')


def parse_cell(cell):
    """A raw cell as `trainer predict` reads it: None (missing), a float or a string.

    None, NaN and the missing texts (empty, NA, N/A, NaN, null, None, ?; any case) are missing; a decimal text is a
    number; booleans, and the texts true and false in any case (True, TRUE), are the strings 'true' and 'false', as
    the trainer reads them.
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        return 'true' if cell else 'false'
    if isinstance(cell, numbers.Real):
        v = float(cell)
        return None if math.isnan(v) else v
    text = cell if isinstance(cell, str) else str(cell)
    if text.lower() in MISSING_TEXTS:
        return None
    stripped = text.strip()
    if DECIMAL.fullmatch(stripped):
        v = float(stripped)
        if math.isfinite(v):
            return v
    if text.lower() in ('true', 'false'):
        return text.lower()
    return text


def _lookup(categories):
    """Category -> input index; a model saved before booleans were read as true/false keeps 'True': the same category."""
    m = {k: i for i, k in enumerate(categories)}
    for i, k in enumerate(categories):
        if isinstance(k, str) and k.lower() in ('true', 'false'):
            m.setdefault(k.lower(), i)
    return m


def category_key(cell):
    """The category a parsed cell names: a number by JavaScript's shortest text (1.0 is '1', 1e-7 is '1e-7')."""
    if isinstance(cell, str):
        return cell
    if cell == 0:
        return '0'
    # Python's repr and JavaScript's String(x) find the same shortest digits; they place the point differently.
    t = Decimal(repr(abs(cell))).as_tuple()
    digits = ''.join(map(str, t.digits)).rstrip('0')
    n = len(t.digits) + t.exponent  # the decimal point's position after the first digit of `digits`
    k = len(digits)
    if k <= n <= 21:
        text = digits + '0' * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + '.' + digits[n:]
    elif -6 < n <= 0:
        text = '0.' + '0' * -n + digits
    else:
        text = digits[0] + ('.' + digits[1:] if k > 1 else '') + f'e{"+" if n > 0 else "-"}{abs(n - 1)}'
    return ('-' if cell < 0 else '') + text


def encode(columns, rows, names=None):
    """Raw table rows as the model's features (float32, [rows, features]), by the model's `columns` metadata.

    Each row is a mapping from column name to cell (csv.DictReader, a parsed JSON line) or a sequence of cells, in
    the order `names` gives (a CSV header) or else in the model's column order; other columns are ignored. Per column,
    as `trainer predict` does: a number as it is, a missing one or text (parse_cell) the column's fill (the training mean); a
    category one-hot over the model's categories (None: the missing value's, if the model has one), all zeros if
    unseen. The model's standardisation follows in the model itself.
    """
    if columns is None:
        raise ValueError('the model has no column names: its rows are its features already, give them to model(x)')
    width = sum(1 if c['role'] == 'numeric' else len(c['categories']) for c in columns)
    lookups = [None if c['role'] == 'numeric' else _lookup(c['categories']) for c in columns]
    at = None
    if names is not None:
        names = list(names)
        absent = [c['name'] for c in columns if c['name'] not in names]
        if absent:
            raise ValueError(f'names have no column {", ".join(map(repr, absent[:5]))}, which the model reads (by name, as it was trained)')
        at = [names.index(c['name']) for c in columns]
    out = []
    for r, row in enumerate(rows, 1):
        if isinstance(row, Mapping):
            absent = next((c['name'] for c in columns if c['name'] not in row), None)
            if absent is not None:
                raise ValueError(f'row {r}: no {absent!r}, a column the model reads (None for a missing value)')
            cells = [row[c['name']] for c in columns]
        else:
            row = list(row)
            want = len(columns) if at is None else max(at) + 1
            if len(row) < want or (at is None and len(row) != want):
                raise ValueError(f'row {r}: {len(row)} cells, expected {want}' + ('' if at else f' ({", ".join(c["name"] for c in columns[:5])}{", ..." if len(columns) > 5 else ""})'))
            cells = row if at is None else [row[j] for j in at]
        values = [0.0] * width
        o = 0
        for c, lookup, cell in zip(columns, lookups, cells):
            if 'item' in c and isinstance(cell, (list, tuple)):
                cell = cell[c['item']]
            cell = parse_cell(cell)
            if lookup is None:
                # Text in a numeric column (a stray word) is a missing value, as trainer eval and predict read it.
                if cell is None or isinstance(cell, str):
                    if c.get('fill') is None:
                        raise ValueError(f'row {r}: column {c["name"]!r} is ' + ('missing' if cell is None else f'{cell[:40]!r}, not a number') + ', and the model has no fill value for it')
                    cell = c['fill']
                values[o] = cell
                o += 1
            else:
                i = lookup.get(None if cell is None else category_key(cell))
                if i is not None:
                    values[o + i] = 1.0
                o += len(c['categories'])
        out.append(values)
    # float32, as trainer writes the encoded row (a Float32Array).
    return torch.tensor(out, dtype=torch.float32).reshape(len(out), width)


# ---- Text features: the same featurizer as core's text-features.ts (docs/text-features.md), in pure Python. ----

TEXT_FEATURIZER_KIND = 'hashed-text'
TEXT_WEIGHTINGS = ('binary', 'count', 'log')
TEXT_NORMALIZATIONS = ('l2', 'none')
TEXT_MAX_HASH_BITS = 30
TEXT_MAX_NGRAMS = 5
# Code points whose letters and digits are each a token of their own: scripts written without spaces between words
# (kana, CJK ideographs), where a run would be a whole sentence. Fixed ranges, not a script property, because Python's
# unicodedata has none; the same list is in text-features.ts.
TEXT_SINGLE_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_NGRAM_MULTIPLIER = 0x9E3779B1
_M32 = 0xFFFFFFFF


def validate_text_featurizer(spec, field='featurizer'):
    """The featurizer spec as a dict, checked as core's validateTextFeaturizer checks it (ValueError naming the field)."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    if not isinstance(spec, Mapping):
        raise ValueError(f'{field}: expected an object, found {type(spec).__name__}')
    if spec.get('kind') != TEXT_FEATURIZER_KIND:
        raise ValueError(f'{field}.kind: expected {TEXT_FEATURIZER_KIND!r}, found {spec.get("kind")!r}')
    if spec.get('version') not in (1, 2) or isinstance(spec.get('version'), bool):
        raise ValueError(f'{field}.version: expected 1 or 2 (the versions this loader reads), found {spec.get("version")!r}')
    bits, n = spec.get('hashBits'), spec.get('ngrams')
    if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= TEXT_MAX_HASH_BITS:
        raise ValueError(f'{field}.hashBits: expected an integer in [1, {TEXT_MAX_HASH_BITS}], found {bits!r}')
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= TEXT_MAX_NGRAMS:
        raise ValueError(f'{field}.ngrams: expected an integer in [1, {TEXT_MAX_NGRAMS}], found {n!r}')
    if spec.get('lowercase') is not True:
        raise ValueError(f'{field}.lowercase: expected true (version 1 always lower-cases), found {spec.get("lowercase")!r}')
    if spec.get('weighting') not in TEXT_WEIGHTINGS:
        raise ValueError(f'{field}.weighting: expected one of {", ".join(TEXT_WEIGHTINGS)}, found {spec.get("weighting")!r}')
    if spec.get('normalize') not in TEXT_NORMALIZATIONS:
        raise ValueError(f'{field}.normalize: expected one of {", ".join(TEXT_NORMALIZATIONS)}, found {spec.get("normalize")!r}')
    if spec['version'] == 1 and 'idf' in spec:
        raise ValueError(f"{field}.idf: is version 2's: a version-1 featurizer has none")
    if spec['version'] == 2 and not isinstance(spec.get('idf'), bool):
        raise ValueError(f'{field}.idf: expected true or false, found {spec.get("idf")!r}')
    return dict(spec)


def murmur3_32(data, seed=0):
    """MurmurHash3 x86 32-bit of bytes (an unsigned int), as core's murmur3."""
    h = seed & _M32
    n = len(data)
    end = n & ~3
    for i in range(0, end, 4):
        k = int.from_bytes(data[i:i + 4], 'little')
        k = (k * 0xCC9E2D51) & _M32
        k = ((k << 15) | (k >> 17)) & _M32
        k = (k * 0x1B873593) & _M32
        h ^= k
        h = ((h << 13) | (h >> 19)) & _M32
        h = (h * 5 + 0xE6546B64) & _M32
    if n & 3:
        k = int.from_bytes(data[end:], 'little')
        k = (k * 0xCC9E2D51) & _M32
        k = ((k << 15) | (k >> 17)) & _M32
        k = (k * 0x1B873593) & _M32
        h ^= k
    return _fmix32(h ^ n)


def _fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _ranges_class(ranges):
    return ''.join(re.escape(chr(a)) if a == b else f'{re.escape(chr(a))}-{re.escape(chr(b))}' for a, b in ranges)


@functools.lru_cache(maxsize=None)
def _token_pattern(symbols='SP'):
    """The tokeniser's regular expression, built once from unicodedata (Python's re has no \\p{L}).

    symbols: the general categories whose characters are one-character tokens ('SP': symbols and punctuation, the rule
    of version 1; 'S' and '' for the measurement of docs/text-features.md only).
    """
    import unicodedata
    classes = {'w': [], 'm': [], 'c': [], 's': []}
    single = TEXT_SINGLE_RANGES
    prev, start = None, 0
    for cp in range(0x110000 + 1):
        kind = None
        if cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF:
            cat = unicodedata.category(chr(cp))[0]
            if cat in 'LN':
                kind = 'c' if any(a <= cp <= b for a, b in single) else 'w'
            elif cat == 'M':
                kind = 'm'
            elif cat in symbols:
                kind = 's'
        if kind != prev:
            if prev is not None:
                classes[prev].append((start, cp - 1))
            prev, start = kind, cp
    w, m, c, s = (_ranges_class(classes[k]) for k in 'wmcs')
    parts = [f'[{w}][{w}{m}]*', f'[{c}][{m}]*'] + ([f'[{s}][{m}]*'] if s else [])
    return re.compile('|'.join(parts))


def text_tokens(text, symbols='SP'):
    """The tokens of a text, as core's textTokens: NFKC, lower-cased, then the runs of docs/text-features.md."""
    import unicodedata
    return _token_pattern(symbols).findall(unicodedata.normalize('NFKC', text).lower())


def _float32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def encode_text(featurizer, text, hashes=None, symbols='SP', idf=None, offset=0):
    """One text's features: (indices, values), indices sorted ascending and unique, values float32 (as Python floats).

    hashes: an optional dict token -> MurmurHash3, reused across texts (pure-Python hashing is the slow part).
    idf: with a featurizer that weighs by IDF (version 2, idf true), the weights by feature index (a list of floats,
    the model's featurizer.idf); a bucket of weight 0 is left out. offset: where the text column's buckets start among
    the row's features (the indices returned are its buckets, from 0).
    """
    if featurizer.get('idf') is True and (idf is None or len(idf) < offset + (1 << featurizer['hashBits'])):
        raise ValueError('idf: the text featurizer weighs by IDF; give its weights (model.idf), one a feature')
    if featurizer.get('idf') is not True:
        idf = None
    mask = (1 << featurizer['hashBits']) - 1
    n = featurizer['ngrams']
    if hashes is None:
        hashes = {}
    tokens = text_tokens(text, symbols)
    h = []
    for t in tokens:
        v = hashes.get(t)
        if v is None:
            v = hashes[t] = murmur3_32(t.encode('utf-8'))
        h.append(v)
    counts = {}
    for i, g in enumerate(h):
        counts[g & mask] = counts.get(g & mask, 0) + 1
        for k in range(1, min(n, len(h) - i)):
            # An n-gram's hash from its tokens' hashes, without building its text (docs/text-features.md).
            g = (g * _NGRAM_MULTIPLIER + h[i + k]) & _M32
            b = _fmix32(g ^ (k + 1)) & mask
            counts[b] = counts.get(b, 0) + 1
    indices = sorted(b for b in counts if idf is None or idf[offset + b] != 0)
    weighting = featurizer['weighting']
    if weighting == 'binary':
        weights = [1.0] * len(indices)
    elif weighting == 'count':
        weights = [float(counts[i]) for i in indices]
    else:
        weights = [math.log1p(counts[i]) for i in indices]
    if idf is not None:
        weights = [w * idf[offset + i] for w, i in zip(weights, indices)]
    if featurizer['normalize'] == 'l2' and weights:
        # Summed one by one in index order, as text-features.ts does, so that both round alike (sum() of floats is
        # compensated from Python 3.12 on).
        total = 0.0
        for w in weights:
            total += w * w
        norm = math.sqrt(total)
        weights = [w / norm for w in weights]
    return indices, [_float32(w) for w in weights]


def encode_texts(featurizer, texts, idf=None):
    """Texts as the model's features: a coalesced torch sparse COO tensor, float32, [len(texts), 2**hashBits].

    model(x.to_dense()) runs the model on a few texts; encode_text gives one text's (indices, values).
    """
    if isinstance(texts, str):
        raise ValueError('texts: expected a list of texts, found one str (wrap it: model.encode([text]))')
    hashes = {}
    encoded = []
    for r, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f'texts[{r}]: expected a str, found {type(text).__name__}')
        encoded.append(encode_text(featurizer, text, hashes, idf=idf))
    return _sparse_rows(encoded, 1 << featurizer['hashBits'])


def _sparse_rows(encoded, width):
    """Rows of (indices, values) as a coalesced torch sparse COO tensor, float32, [len(encoded), width]."""
    rows, cols, vals = [], [], []
    for r, (indices, values) in enumerate(encoded):
        rows.extend([r] * len(indices))
        cols.extend(indices)
        vals.extend(values)
    at = torch.tensor([rows, cols], dtype=torch.int64).reshape(2, len(cols))
    return torch.sparse_coo_tensor(at, torch.tensor(vals, dtype=torch.float32), (len(encoded), width)).coalesce()


# ---- Row featurizers: core's row-featurizer.ts (encodeRow), a record of raw columns into one sparse row. ----


def validate_row_featurizer(spec, field='featurizer'):
    """A row featurizer ({"kind": "rows", "text": {...}, "columns": [...], "features": N}) as a dict, checked as core's
    validateRowFeaturizer checks it (ValueError naming the field)."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    if not isinstance(spec, Mapping) or spec.get('kind') != 'rows':
        raise ValueError(f'{field}: expected a row featurizer ({{"kind":"rows", ...}})')
    if spec.get('version') != 1:
        raise ValueError(f'{field}: version {spec.get("version")!r} is not known here (1 is)')
    text = validate_text_featurizer(spec.get('text'), f'{field}.text')
    columns = spec.get('columns')
    if not isinstance(columns, list) or not columns:
        raise ValueError(f'{field}: expected at least one column')
    end = 0
    width = 1 << text['hashBits']
    for i, c in enumerate(columns):
        at = f'{field}: column {i} ({c.get("name")!r})' if isinstance(c, Mapping) else f'{field}: column {i}'
        if not isinstance(c, Mapping) or not isinstance(c.get('name'), str):
            raise ValueError(f'{at}: expected a name')
        role = c.get('role')
        if role == 'numeric':
            start, size = c.get('index'), 1
            if not all(isinstance(c.get(k), numbers.Real) and math.isfinite(c.get(k)) for k in ('center', 'scale', 'fill')) or c['scale'] == 0:
                raise ValueError(f'{at}: center, scale and fill must be finite numbers, scale not 0')
        elif role == 'text':
            start, size = c.get('offset'), width
        elif role == 'categorical':
            start, size = c.get('offset'), len(c.get('categories') or [])
            if not all(isinstance(k, str) for k in c.get('categories') or []):
                raise ValueError(f'{at}: categories must be strings')
        else:
            raise ValueError(f'{at}: unknown role {role!r}')
        if not isinstance(start, int) or start < end:
            raise ValueError(f'{at}: its features start at {start!r}, inside the range of the columns before it (which end at {end})')
        end = start + size
    if spec.get('features') != end:
        raise ValueError(f'{field}: features is {spec.get("features")!r}, but the columns take {end}')
    return dict(spec, text=text)


def _cell_text(cell):
    """A cell as encodeRow reads a text or a category: a str as it is, a number by JavaScript's text, a bool as true/false."""
    if isinstance(cell, bool):
        return 'true' if cell else 'false'
    if isinstance(cell, numbers.Real):
        return category_key(float(cell))
    return cell if isinstance(cell, str) else str(cell)


def encode_record(featurizer, record, hashes=None, idf=None):
    """One record's features, as core's encodeRow: (indices, values), ascending, float32 values (Python floats).

    record: a mapping of column name -> cell (str, number, bool, None for missing); an absent column is missing. A
    text column is hashed (encode_text) from its offset, weighed by idf (the model's) when its featurizer says so; a numeric one is (x - center) / scale, its fill when missing
    or not a number; a categorical one sets its category's feature to 1 (none when unknown or missing).
    """
    indices, values = [], []
    for c in featurizer['columns']:
        cell = record.get(c['name'])
        if isinstance(cell, float) and math.isnan(cell):
            cell = None
        if c['role'] == 'text':
            if cell is not None:
                ix, vs = encode_text(featurizer['text'], _cell_text(cell), hashes, idf=idf, offset=c['offset'])
                indices.extend(c['offset'] + i for i in ix)
                values.extend(vs)
        elif c['role'] == 'numeric':
            x = parse_cell(cell) if not isinstance(cell, bool) else None
            scaled = (x - c['center']) / c['scale'] if isinstance(x, float) and math.isfinite(x) else c['fill']
            if scaled != 0:
                indices.append(c['index'])
                values.append(_float32(scaled))
        elif cell is not None:
            key = _cell_text(cell)
            if key in c['categories']:
                indices.append(c['offset'] + c['categories'].index(key))
                values.append(1.0)
    return indices, values


def encode_records(featurizer, records, idf=None):
    """Records (mappings naming the columns) or, for a featurizer of one text column, plain texts, as the model's
    features: a coalesced torch sparse COO tensor, float32, [len(records), features]. model(x.to_dense()) runs them."""
    if isinstance(records, (str, Mapping)):
        raise ValueError('records: expected a list of records or texts, found one (wrap it: model.encode([record]))')
    columns = featurizer['columns']
    one_text = len(columns) == 1 and columns[0]['role'] == 'text'
    hashes = {}
    encoded = []
    for r, record in enumerate(records):
        if isinstance(record, str):
            if not one_text:
                raise ValueError(f'records[{r}]: a plain text, but the model reads {len(columns)} columns ({", ".join(c["name"] + ": " + c["role"] for c in columns)}): give a dict naming them')
            record = {columns[0]['name']: record}
        elif not isinstance(record, Mapping):
            raise ValueError(f'records[{r}]: expected a dict naming the columns{" or a str" if one_text else ""}, found {type(record).__name__}')
        encoded.append(encode_record(featurizer, record, hashes, idf))
    return _sparse_rows(encoded, featurizer['features'])


class Preprocess(nn.Module):
    """Features to what the first layer takes: float32, the input shape flattened, then each step of PREPROCESSING."""

    def __init__(self, input_shape, steps):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.steps = nn.ModuleList(steps)
        # Follows model.double() / .float(), so that the layers get their own dtype.
        self.register_buffer('dtype_probe', torch.zeros(0), persistent=False)

    def forward(self, x):
        x = torch.as_tensor(x).to(torch.float32).to(self.dtype_probe.dtype)
        k = len(self.input_shape)
        if k > 1 and tuple(x.shape[-k:]) == self.input_shape:
            x = x.flatten(start_dim=x.dim() - k)
        for step in self.steps:
            x = step(x)
        return x


class Standardize(nn.Module):
    """(x - input_mean) / input_std, feature by feature (float features; the training set's statistics)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32))

    def forward(self, x):
        # In float64, rounded to float32: as trainer writes the scaled row, so float64 models agree to the last digit.
        return ((x.double() - self.mean.double()) / self.std.double()).to(torch.float32).to(x.dtype)


class Scale(nn.Module):
    """x * input_scale (1/255 for pixels stored as bytes)."""

    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return x * self.scale


class Unscale(nn.Module):
    """A regression's output back in the target's units: value = z * target_std + target_mean."""

    def __init__(self, mean, std):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, z):
        return z * self.std + self.mean


class SumToOne(nn.Module):
    """Sigmoid outputs normalised to sum 1, the class probabilities `trainer predict` reports."""

    def forward(self, x):
        return x / x.sum(dim=-1, keepdim=True)


def _standardization(meta):
    if 'input_mean' not in meta and 'input_std' not in meta:
        return None
    return Standardize(json.loads(meta['input_mean']), json.loads(meta['input_std']))


def _input_scale(meta):
    scale = float(meta.get('input_scale', '1'))
    return None if scale == 1 else Scale(scale)


# What the model does to its inputs before the first layer, in the order `trainer predict` does it, each step reading
# its own metadata keys (None: not in this model). A new kind of preprocessing of features is one more function here,
# in its place in the order; a table's per-column encoding is not a step, because it reads Python cells (strings,
# None), not tensors: encode() does it before model(x).
PREPROCESSING = (_standardization, _input_scale)


def _columns(meta):
    """The columns a raw row is read from: the table's encodings, or each named feature as a number without a fill."""
    if 'columns' in meta:
        return json.loads(meta['columns'])
    if 'features' in meta:
        return [{'name': f, 'role': 'numeric', 'fill': None} for f in json.loads(meta['features'])]
    return None


def _weight(path, tensors, i, n_out, n_in):
    """Layer i's float32 weight [out, in]; a compact file's is expanded (docs/model-format.md): int8 codes times their
    output's scale, float16 widened, and only the rows of layers.{i}.inputs stored (the others are 0)."""
    if f'layers.{i}.weight_i8' in tensors:
        scale = tensors[f'layers.{i}.weight_scale'].reshape(-1, 1)
        weight = tensors[f'layers.{i}.weight_i8'].to(torch.float32) * scale
    else:
        weight = tensors[f'layers.{i}.weight'].to(torch.float32)
    inputs = tensors.get(f'layers.{i}.inputs')
    if inputs is None:
        return weight
    if weight.dim() != 2 or weight.shape[0] != n_out or weight.shape[1] != inputs.numel() or (inputs.numel() and (inputs.min() < 0 or inputs.max() >= n_in)):
        raise ValueError(f'{path}: layers.{i}: weight {tuple(weight.shape)} and {inputs.numel()} inputs do not fit a {n_in}-input layer of {n_out} outputs')
    full = torch.zeros(n_out, n_in)
    full[:, inputs.long()] = weight
    return full


def load(path, normalize=True):
    """The model of a hogwild safetensors file as a torch.nn.Sequential giving class probabilities (or values).

    normalize=False leaves sigmoid outputs as they are (each class's own probability) instead of summing to 1.
    """
    tensors, meta = read_safetensors(path)
    if meta.get('format') != 'hogwild' or 'layers' not in meta:
        raise ValueError(f'{path}: __metadata__ says format {meta.get("format")!r}, layers {meta.get("layers")!r}: not a hogwild model')
    sizes = [int(s) for s in meta['layers'].split(',')]
    activation, output = meta.get('activation'), meta.get('output')
    if activation not in HIDDEN:
        raise ValueError(f'{path}: hidden activation {activation!r} is not one of {", ".join(HIDDEN)}')
    if output not in ('softmax', 'sigmoid', 'linear'):
        raise ValueError(f'{path}: output {output!r} is not softmax, sigmoid or linear')
    input_shape = json.loads(meta.get('input_shape', json.dumps([sizes[0]])))
    steps = [m for m in (step(meta) for step in PREPROCESSING) if m is not None]
    modules = [Preprocess(input_shape, steps)]
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layer = nn.Linear(n_in, n_out)
        weight, bias = _weight(path, tensors, i, n_out, n_in), tensors[f'layers.{i}.bias']
        if tuple(weight.shape) != (n_out, n_in) or tuple(bias.shape) != (n_out,):
            raise ValueError(f'{path}: layers.{i}: shapes {tuple(weight.shape)}, {tuple(bias.shape)} disagree with layers {meta["layers"]}')
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        modules.append(layer)
        if i < len(sizes) - 2:
            modules.append(HIDDEN[activation]())
    if output == 'softmax':
        modules.append(nn.Softmax(dim=-1))
    elif output == 'sigmoid':
        modules.append(nn.Sigmoid())
        if normalize:
            modules.append(SumToOne())
    elif 'target_mean' in meta:
        modules.append(Unscale(float(meta['target_mean']), float(meta['target_std'])))
    model = nn.Sequential(*modules).eval()
    model.metadata = dict(meta)
    model.input_shape = input_shape
    model.task = meta.get('task', 'regression' if output == 'linear' else 'classification')
    model.classes = json.loads(meta['classes']) if 'classes' in meta else None
    model.features = json.loads(meta['features']) if 'features' in meta else None
    model.columns = _columns(meta)
    model.encode = functools.partial(encode, model.columns)
    # A text model: model.encode(texts or records) gives its features as trainer predict computes them: a row
    # featurizer (core encodeRow: text, numeric and categorical columns) or, in older files, a bare text featurizer.
    model.featurizer = None
    # With text weighed by IDF, the weights (one a feature, a list of floats): encode() applies them.
    model.idf = None
    if 'featurizer' in meta:
        spec = json.loads(meta['featurizer']) if isinstance(meta['featurizer'], str) else meta['featurizer']
        if isinstance(spec, Mapping) and spec.get('kind') == 'rows':
            model.featurizer = validate_row_featurizer(spec, f'{path}: featurizer')
            if model.featurizer['text'].get('idf') is True and any(c['role'] == 'text' for c in model.featurizer['columns']):
                model.idf = _idf(path, tensors, model.featurizer['features'])
            model.encode = functools.partial(encode_records, model.featurizer, idf=model.idf)
        else:
            model.featurizer = validate_text_featurizer(spec, f'{path}: featurizer')
            if model.featurizer.get('idf') is True:
                model.idf = _idf(path, tensors, 1 << model.featurizer['hashBits'])
            model.encode = functools.partial(encode_texts, model.featurizer, idf=model.idf)
    return model


def _idf(path, tensors, d):
    """The featurizer.idf tensor as d floats (a bucket of weight 0 is left out of a text), whole in a compact file too."""
    idf = tensors.get('featurizer.idf')
    if idf is None:
        raise ValueError(f'{path}: the featurizer weighs by IDF, but the tensor featurizer.idf is missing')
    values = idf.to(torch.float64).reshape(-1).tolist()
    if len(values) != d:
        raise ValueError(f'{path}: featurizer.idf holds {len(values)} weights for {d} features')
    return values
