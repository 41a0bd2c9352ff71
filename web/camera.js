// The rear camera, frame by frame into the WebAssembly scanner. One frame
// is scanned at a time; frames that arrive meanwhile are skipped.

import * as engine from "./engine.js";

export class Camera {
  constructor(video, onResult) {
    this.video = video;
    this.onResult = onResult;
    this.stream = null;
    this.busy = false;
    this.canvas = document.createElement("canvas");
    this.ctx = null;
  }

  get running() {
    return this.stream !== null;
  }

  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.schedule();
  }

  stop() {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  schedule() {
    if (!this.running) return;
    if ("requestVideoFrameCallback" in this.video) {
      this.video.requestVideoFrameCallback(() => this.tick());
    } else {
      setTimeout(() => this.tick(), 66);
    }
  }

  async tick() {
    if (!this.running) return;
    if (!this.busy) {
      this.busy = true;
      try {
        await this.scanOnce();
      } finally {
        this.busy = false;
      }
    }
    this.schedule();
  }

  /** Grabs the current frame and scans it; `grabbed` is when the frame was taken. */
  async scanOnce() {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return;
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.ctx = this.canvas.getContext("2d", { willReadFrequently: true });
    }
    const grabbed = performance.now();
    this.ctx.drawImage(this.video, 0, 0, w, h);
    const pixels = this.ctx.getImageData(0, 0, w, h).data;
    const result = await engine.scanLive(w, h, pixels);
    result.grabbed = grabbed;
    result.scanMs = performance.now() - grabbed;
    if (this.running) await this.onResult(result);
  }

  /** The current frame as RGBA (for measurements). */
  frame() {
    const { videoWidth: w, videoHeight: h } = this.video;
    this.canvas.width = w;
    this.canvas.height = h;
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: true });
    this.ctx.drawImage(this.video, 0, 0, w, h);
    return { width: w, height: h, data: this.ctx.getImageData(0, 0, w, h).data };
  }
}
