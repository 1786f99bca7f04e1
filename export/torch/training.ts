// The training half of the exported Python file: the optimizer with netc's parameter groups,
// the learning-rate schedule as a LambdaLR, loading netc's optimizer state, and a Trainer whose
// fit() is netc's fit (same shuffle from the same generator state, same batches, same clipping).
import type { ModelIR } from "../../compiler/model.js";
import { OPTIMIZER_STATE } from "../../compiler/optim/index.js";
import { pyFloat } from "./forward.js";
import { trainableParams } from "../../compiler/model.js";

/** netc's optimizer buffer (`h1.W/m`) → the key PyTorch's optimizer keeps it under. */
const TORCH_STATE: Record<string, string> = {
  velocity: "momentum_buffer",
  square_avg: "square_avg",
  sum_sq: "sum",
  m: "exp_avg",
  v: "exp_avg_sq",
};

export function trainingCode(model: ModelIR, className: string, optimizer: string): string {
  const t = model.train;
  const lr0 = pyFloat(t.optimizer.lr);
  const s = t.schedule;
  const base =
    s.kind === "step" ? `LR * ${pyFloat(s.gamma)} ** ((epoch - 1) // ${s.every})`
    : s.kind === "exponential" ? `LR * ${pyFloat(s.gamma)} ** (epoch - 1)`
    : s.kind === "cosine" ? `${pyFloat(s.min)} + (LR - ${pyFloat(s.min)}) * 0.5 * (1 + math.cos(math.pi * min(epoch - 1, EPOCHS) / EPOCHS))`
    : "LR";
  const warm = t.warmup > 0 ? ` * min(1, epoch / ${t.warmup})` : "";
  const groups = paramGroups(model).map((g) => `        {"params": [model.get_parameter(n) for n in ${JSON.stringify(g.names)}], "lr": ${pyFloat(g.lr)}},`);
  const slots = OPTIMIZER_STATE[t.optimizer.kind];
  const stepped = slots.length > 0 && t.optimizer.kind !== "momentum" && t.optimizer.kind !== "nesterov";
  return `def make_optimizer(model):
    """torch.optim with netc's hyperparameters; frozen parameters are left out, param_lr gives groups."""
    groups = [
${groups.join("\n")}
    ]
    return ${optimizer}


def scheduled_lr(epoch):
    """The learning rate of epoch \`epoch\` (1-based): the train block's schedule${t.warmup > 0 ? ", then warm-up" : ""}."""
    return ${base}${warm}


def make_scheduler(optimizer, epochs_done=0):
    """Call scheduler.step() after each epoch; every group's rate follows scheduled_lr in proportion."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: scheduled_lr(epochs_done + 1 + i) / ${lr0})


# netc's optimizer buffers (e.g. "h1.W/m") and the names PyTorch keeps them under.
OPTIMIZER_BUFFERS = ${JSON.stringify(Object.fromEntries(slots.map((k) => [k, TORCH_STATE[k]!])))}


def load_optimizer_state(model, optimizer, state):
    """Restores netc's optimizer buffers and step count, when the weights file holds them for this optimizer."""
    buffers = (state or {}).get("buffers") or {}
    if isinstance(buffers, list):  # version 2: [{"name": "h1.W/m", "data": base64}]
        buffers = {b["name"]: _values(b["data"]) for b in buffers}
    wanted = {f"{name}/{slot}" for group in optimizer.param_groups for name in _names(model, group) for slot in OPTIMIZER_BUFFERS}
    if not wanted or set(buffers) != wanted:
        return False
    with torch.no_grad():
        for group in optimizer.param_groups:
            for name, p in zip(_names(model, group), group["params"]):
                entry = {torch_key: torch.tensor(buffers[f"{name}/{slot}"], dtype=torch.float64).view(p.shape) for slot, torch_key in OPTIMIZER_BUFFERS.items()}
${stepped ? `                entry["step"] = torch.tensor(float(state["step"]))\n` : ""}                optimizer.state[p] = entry
    return True


def _names(model, group):
    by_id = {id(p): n for n, p in model.named_parameters()}
    return [by_id[id(p)] for p in group["params"]]


class Trainer:
    """netc's training loop for a ${className}: fit() shuffles, batches, steps and schedules exactly as netc's fit."""

    def __init__(self, model, state=None, seed=SEED):
        self.model = model
        self.optimizer = make_optimizer(model)
        self.params = [p for group in self.optimizer.param_groups for p in group["params"]]
        state = state or {}
        self.epochs_done = int(state.get("epoch", 0))
        rng = (state.get("rng") or {}).get("shuffle")
        self.shuffle_rng = Sfc32(rng) if rng else Sfc32.seeded(seed + 1)
        load_optimizer_state(model, self.optimizer, state)
        self.scheduler = make_scheduler(self.optimizer, self.epochs_done)

    def train_step(self, x, y):
        """One optimizer step on a batch; returns the loss before the step (no step if it is not finite)."""
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.model.loss(x, y)
        value = loss.item()
        if not math.isfinite(value):
            return value
        loss.backward()
        if CLIP_NORM > 0:
            torch.nn.utils.clip_grad_norm_(self.params, CLIP_NORM)
        self.optimizer.step()
        return value

    def fit(self, x, y, epochs=EPOCHS, batch=BATCH, shuffle=True):
        """Epochs of minibatches in netc's order; returns each epoch's mean training loss."""
        n = x.shape[0]
        history = []
        for _ in range(epochs):
            epoch = self.epochs_done + 1
            order = list(range(n))
            if shuffle:
                for i in range(n - 1, 0, -1):
                    j = math.floor(self.shuffle_rng.next() * (i + 1))
                    order[i], order[j] = order[j], order[i]
            total = 0.0
            for start in range(0, n, batch):
                rows = order[start:start + batch]
                value = self.train_step(x[rows], y[rows])
                if not math.isfinite(value):
                    raise FloatingPointError(f"the loss became {value} at epoch {epoch}, batch {start // batch + 1}")
                total += value * len(rows)
            self.epochs_done = epoch
            self.scheduler.step()
            history.append(total / n)
        return history


def create(weights=WEIGHTS_FILE):
    """A ${className} with the weights from a netc weights file (or netc's initialization), and its Trainer."""
    model = ${className}()
    state = None
    if weights is None:
        init_like_netc(model)
    else:
        state = load_netc_weights(model, weights)
    return model, Trainer(model, state)


if __name__ == "__main__":
    model, trainer = create()
    count = sum(p.numel() for p in model.parameters())
    print(f"{MODEL_NAME}: {count} parameters, optimizer {type(trainer.optimizer).__name__}, {trainer.epochs_done} epochs done")
    for name, tensor in _tensors(model).items():
        print(f"  {name} {list(tensor.shape)}{'' if tensor.requires_grad else ' (not trained)'}")`;
}


/** The learning rate of each trainable parameter: its most specific `param_lr`, else the optimizer's. */
export function paramGroups(model: ModelIR): { lr: number; names: string[] }[] {
  const groups: { lr: number; names: string[] }[] = [];
  for (const p of trainableParams(model)) {
    const lr = p.lr ?? model.train.optimizer.lr;
    const group = groups.find((g) => g.lr === lr);
    if (group) group.names.push(p.name);
    else groups.push({ lr, names: [p.name] });
  }
  return groups;
}
