// The loss curve as an SVG polyline on a log scale (losses span orders of magnitude).
const SVG = "http://www.w3.org/2000/svg";

export function drawLossChart(svg: SVGSVGElement, losses: number[]): void {
  const width = 400;
  const height = 260;
  const pad = 36;
  const logs = losses.map((l) => Math.log10(Math.max(l, 1e-12)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const span = hi - lo || 1;
  const x = (i: number) => pad + (i / Math.max(losses.length - 1, 1)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - lo) / span) * (height - 2 * pad);
  svg.replaceChildren();
  const axis = document.createElementNS(SVG, "path");
  axis.setAttribute("d", `M${pad},${pad} V${height - pad} H${width - pad}`);
  axis.setAttribute("stroke", "#888");
  axis.setAttribute("fill", "none");
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", logs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "));
  line.setAttribute("stroke", "#1f6feb");
  line.setAttribute("stroke-width", "2");
  line.setAttribute("fill", "none");
  const label = (text: string, lx: number, ly: number) => {
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", String(lx));
    t.setAttribute("y", String(ly));
    t.setAttribute("font-size", "11");
    t.textContent = text;
    return t;
  };
  svg.append(axis, line, label(losses[0]!.toPrecision(3), 2, pad - 4), label(losses.at(-1)!.toPrecision(3), width - pad - 30, y(logs.at(-1)!) - 6), label(`epoch ${losses.length}`, width - pad - 50, height - 12));
}
