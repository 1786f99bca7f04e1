// netc's recurrent op in Python, added to an exported module that uses it: the tape of
// compiler/ops/recurrent.ts (h, h₋₁ and what netc's derivative reads) from a zero state, with
// PyTorch's equations and gate order, so autograd through it is netc's backpropagation through
// time. Only the tape's first block, h, is read by the forward graph.
export const RECURRENT_PY = String.raw`

def _recurrent(xw, w_hh, b_hh, cell):
    """netc's recurrent op: xw = x @ W_ih + b_ih [B, T, G*n] -> the tape [B, T, S*n] (h first)."""
    rows, steps, _ = xw.shape
    n = w_hh.shape[0]
    h = xw.new_zeros(rows, n)
    c = xw.new_zeros(rows, n)
    tape = []
    for t in range(steps):
        x = xw[:, t]
        hh = h @ w_hh + b_hh
        prev = h
        if cell == "rnn":
            h = torch.tanh(x + hh)
            blocks = [h, prev]
        elif cell == "lstm":
            i, f, g, o = (x + hh).chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            blocks = [h, prev, c, i, f, g, o]
        else:
            xr, xz, xn = x.chunk(3, dim=1)
            hr, hz, hn = hh.chunk(3, dim=1)
            r = torch.sigmoid(xr + hr)
            z = torch.sigmoid(xz + hz)
            candidate = torch.tanh(xn + r * hn)
            h = (1 - z) * candidate + z * prev
            blocks = [h, prev, r, z, hn, candidate]
        tape.append(torch.cat(blocks, dim=1))
    return torch.stack(tape, dim=1)`;
