// Python that is the same in every exported module: registering netc's dotted tensor names as
// nested modules, netc's sfc32 generator (so initialization and shuffling match netc's draw for
// draw), and loading a netc weights file. Inlined at export time after the imports.
export const PYTHON_RUNTIME = String.raw`

_MASK = 0xFFFFFFFF


class Sfc32:
    """netc's random generator (sfc32 over four 32-bit words): the same seed gives the same draws."""

    def __init__(self, words):
        self.s = [int(w) & _MASK for w in words]

    @classmethod
    def seeded(cls, seed):
        rng = cls([0x9E3779B9, 0x243F6A88, 0xB7E15162, seed])
        for _ in range(12):
            rng.next()
        return rng

    def next(self):
        a, b, c, d = self.s
        t = (a + b + d) & _MASK
        self.s = [b ^ (b >> 9), (c + (c << 3)) & _MASK, ((((c << 21) | (c >> 11)) & _MASK) + t) & _MASK, (d + 1) & _MASK]
        return t / 4294967296

    def gaussian(self):
        u = 1 - self.next()
        v = self.next()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)


def _owner(module, name):
    """The submodule that holds tensor 'a.b.W' (creating 'a' and 'a.b'), and the leaf name 'W'."""
    *path, leaf = name.split(".")
    for part in path:
        if part not in module._modules:
            if hasattr(module, part):
                raise ValueError(f"netc name {name!r}: {part!r} is an attribute of torch.nn.Module; rename it in the .net file")
            module.add_module(part, torch.nn.Module())
        module = module._modules[part]
    if hasattr(module, leaf) and leaf not in module._parameters and leaf not in module._buffers:
        raise ValueError(f"netc name {name!r}: {leaf!r} is an attribute of torch.nn.Module; rename it in the .net file")
    return module, leaf


def _add_parameter(module, name, shape, trainable=True):
    owner, leaf = _owner(module, name)
    owner.register_parameter(leaf, torch.nn.Parameter(torch.zeros(shape, dtype=torch.float64), requires_grad=trainable))


def _add_buffer(module, name, shape, value):
    owner, leaf = _owner(module, name)
    owner.register_buffer(leaf, torch.full(shape, float(value), dtype=torch.float64))


def _tensors(module):
    """Every tensor saved in a netc weights file, by netc name: parameters, then running statistics."""
    named = dict(module.named_parameters())
    named.update(module.named_buffers())
    return named


def init_like_netc(model, seed=SEED):
    """The initial weights netc's createModel({ seed }) makes, draw for draw."""
    rng = Sfc32.seeded(seed)
    with torch.no_grad():
        for name, kind, a, b in INITIALIZERS:
            p = model.get_parameter(name)
            fan_in, fan_out = p.shape if p.dim() == 2 else (p.shape[0], p.shape[0])
            flat = p.view(-1)
            for i in range(flat.numel()):
                if kind == "zeros":
                    v = 0.0
                elif kind == "ones":
                    v = 1.0
                elif kind == "normal":
                    v = a + b * rng.gaussian()
                elif kind == "uniform":
                    v = a + (b - a) * rng.next()
                elif kind == "xavier":
                    v = (2 * rng.next() - 1) * math.sqrt(6 / (fan_in + fan_out))
                else:  # he
                    v = math.sqrt(2 / fan_in) * rng.gaussian()
                flat[i] = v


def _values(data):
    """A tensor's values: version 2 files hold base64 little-endian float64, version 1 a list of numbers."""
    if isinstance(data, str):
        raw = base64.b64decode(data)
        return list(struct.unpack(f"<{len(raw) // 8}d", raw))
    return data


def load_netc_weights(model, path):
    """Copies every tensor of a netc weights file into the model; returns the file's training state (or None)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get("format") != "netc-weights":
        raise ValueError(f"{path}: not a netc weights file")
    if data.get("model") != MODEL_NAME:
        raise ValueError(f"{path}: weights are for model {data.get('model')!r}, not {MODEL_NAME!r}")
    tensors = _tensors(model)
    given = {t["name"]: t for t in data["tensors"]}
    if sorted(given) != sorted(tensors):
        raise ValueError(f"{path}: tensors {sorted(given)} do not match the model's {sorted(tensors)}")
    with torch.no_grad():
        for name, target in tensors.items():
            t = given[name]
            if list(t["shape"]) != list(target.shape):
                raise ValueError(f"{path}: {name!r} has shape {t['shape']}, the model needs {list(target.shape)}")
            target.copy_(torch.tensor(_values(t["data"] if "data" in t else t["values"]), dtype=torch.float64).view(target.shape))
    return data.get("state")
`;
