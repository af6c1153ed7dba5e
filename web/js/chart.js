// Line charts of series over time on a canvas: the throughput chart of the queries view
// and each query's sparkline.

export class LineChart {
  /**
   * `series`: [{ label, color }], one value each per `add`; `axes: false` draws a bare
   * sparkline (no grid, labels or legend).
   */
  constructor(canvas, { series, seconds = 120, axes = true }) {
    this.canvas = canvas;
    this.series = series;
    this.seconds = seconds;
    this.axes = axes;
    /** [time, [value per series]], oldest first. */
    this.points = [];
  }

  add(time, values) {
    this.points.push([time, values]);
    const oldest = time - this.seconds * 1000;
    while (this.points.length > 0 && this.points[0][0] < oldest) this.points.shift();
    this.draw();
  }

  draw() {
    const { canvas, axes } = this;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext("2d");
    g.scale(ratio, ratio);
    g.clearRect(0, 0, width, height);
    const left = axes ? 56 : 0;
    const top = axes ? 24 : 2;
    const bottom = height - (axes ? 18 : 1);
    const highest = Math.max(...this.points.flatMap(([, values]) => values), 0);
    const max = axes ? niceCeiling(Math.max(10, highest * 1.1)) : Math.max(1, highest) * 1.15;
    g.font = "11px system-ui, sans-serif";
    if (axes) {
      g.strokeStyle = "#eef1f4";
      g.fillStyle = "#66788a";
      for (let i = 0; i <= 4; i++) {
        const y = top + ((bottom - top) * i) / 4;
        g.beginPath();
        g.moveTo(left, y);
        g.lineTo(width, y);
        g.stroke();
        g.fillText(compact(max * (1 - i / 4)), 4, y + 4);
      }
      g.fillText(`last ${this.seconds} s`, left, height - 4);
    }
    const newest = this.points[this.points.length - 1];
    if (axes) this.legend(g, width, newest ? newest[1] : []);
    if (this.points.length < 2) return;
    const now = newest[0];
    const x = (t) => left + ((width - left) * (t - (now - this.seconds * 1000))) / (this.seconds * 1000);
    const y = (v) => bottom - ((bottom - top) * v) / max;
    this.series.forEach(({ color }, s) => {
      g.beginPath();
      this.points.forEach(([t, values], i) => (i === 0 ? g.moveTo(x(t), y(values[s])) : g.lineTo(x(t), y(values[s]))));
      g.strokeStyle = color;
      g.lineWidth = axes ? 2 : 1.5;
      g.stroke();
      if (s === 0) {
        g.lineTo(x(now), bottom);
        g.lineTo(x(this.points[0][0]), bottom);
        g.closePath();
        g.globalAlpha = 0.1;
        g.fillStyle = color;
        g.fill();
        g.globalAlpha = 1;
      }
    });
  }

  /** Each series' colour, name and latest value, right-aligned on the top line. */
  legend(g, width, latest) {
    let x = width;
    [...this.series].reverse().forEach(({ label, color }, reversed) => {
      const value = latest[this.series.length - 1 - reversed];
      const text = `${label} ${value === undefined ? "–" : Math.round(value).toLocaleString()}/s`;
      x -= g.measureText(text).width + 8;
      g.fillStyle = "#1f2933";
      g.fillText(text, x, 12);
      x -= 14;
      g.fillStyle = color;
      g.fillRect(x, 5, 9, 9);
      x -= 14;
    });
  }
}

/** The smallest 1.2, 2, 4, 8 or 12 × 10ⁿ at or above `n`: quarters of it are round. */
function niceCeiling(n) {
  const power = 10 ** Math.floor(Math.log10(n));
  return [1.2, 2, 4, 8, 12].map((step) => step * power).find((candidate) => candidate >= n);
}

/** 1234567 → "1.2M": axis labels stay short. */
function compact(n) {
  return Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}
