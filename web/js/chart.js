// A line chart of one series over time on a canvas: throughput in the queries view.

export class LineChart {
  constructor(canvas, { seconds = 120, label = "" } = {}) {
    this.canvas = canvas;
    this.seconds = seconds;
    this.label = label;
    this.points = [];
  }

  add(time, value) {
    this.points.push([time, value]);
    const oldest = time - this.seconds * 1000;
    while (this.points.length > 0 && this.points[0][0] < oldest) this.points.shift();
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight || 140;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext("2d");
    g.scale(ratio, ratio);
    g.clearRect(0, 0, width, height);
    const left = 56;
    const bottom = height - 18;
    const max = Math.max(10, ...this.points.map(([, v]) => v)) * 1.15;
    g.font = "11px system-ui";
    g.fillStyle = "#66788a";
    g.strokeStyle = "#eef1f4";
    for (let i = 0; i <= 4; i++) {
      const y = 8 + ((bottom - 8) * i) / 4;
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(width, y);
      g.stroke();
      g.fillText(Math.round(max * (1 - i / 4)).toLocaleString(), 4, y + 4);
    }
    g.fillText(`last ${this.seconds} s`, left, height - 4);
    if (this.points.length < 2) return;
    const now = this.points[this.points.length - 1][0];
    const x = (t) => left + ((width - left) * (t - (now - this.seconds * 1000))) / (this.seconds * 1000);
    const y = (v) => bottom - ((bottom - 8) * v) / max;
    g.beginPath();
    g.moveTo(x(this.points[0][0]), bottom);
    for (const [t, v] of this.points) g.lineTo(x(t), y(v));
    g.lineTo(x(now), bottom);
    g.closePath();
    g.fillStyle = "rgba(15, 118, 110, .12)";
    g.fill();
    g.beginPath();
    this.points.forEach(([t, v], i) => (i === 0 ? g.moveTo(x(t), y(v)) : g.lineTo(x(t), y(v))));
    g.strokeStyle = "#0f766e";
    g.lineWidth = 2;
    g.stroke();
    const last = this.points[this.points.length - 1][1];
    g.fillStyle = "#0f766e";
    g.fillText(`${Math.round(last).toLocaleString()} ${this.label}`, width - 120, 18);
  }
}
