// hfsr — task-aware super-resolution for GEGL and GIMP.
// Copyright (C) 2026 the hfsr authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// node ort-run.mjs --model M.onnx --input IN.raw --shape C,H,W --threads N
//                  [--warmup W] [--output OUT.raw]
//
// ONNX Runtime's side of bench/compare.py, speaking the protocol of
// `hfsr-bench --paced`: load the model and the raw float32 planes of one
// [1, C, H, W] input, run W warm-up runs, print {"ready": true, ...}, then
// time one run per line read on standard input, answering each with
// {"seconds": S}; at the end of input write the last output's raw float32
// planes to OUT.raw and print {"done": true, "runs": n}.  Runs use
// intraOpNumThreads N and interOpNumThreads 1: one level of parallelism,
// as the engine (docs/design.md, section 5).

import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import ort from 'onnxruntime-node';

function fail (message) {
  process.stderr.write(`ort-run: ${message}\n`);
  process.exit(2);
}

function positiveInteger (text, name, minimum) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    fail(`--${name} must be an integer >= ${minimum}, got '${text}'`);
  return value;
}

function say (object) {
  process.stdout.write(JSON.stringify(object) + '\n');
}

const { values: options } = parseArgs({
  options: {
    model: { type: 'string' },
    input: { type: 'string' },
    shape: { type: 'string' },
    threads: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1' },
    output: { type: 'string' },
  },
  strict: true,
});
for (const required of ['model', 'input', 'shape'])
  if (options[required] === undefined)
    fail(`--${required} is required`);

const dims = options.shape.split(',').map((side) => positiveInteger(side, 'shape', 1));
if (dims.length !== 3)
  fail(`--shape must be C,H,W, got '${options.shape}'`);
const threads = positiveInteger(options.threads, 'threads', 1);
const warmup = positiveInteger(options.warmup, 'warmup', 0);

const bytes = await readFile(options.input);
const expected = 4 * dims[0] * dims[1] * dims[2];
if (bytes.length !== expected)
  fail(`${options.input}: ${bytes.length} bytes, ${options.shape} float32 planes are ${expected}`);
// A copy, so the floats are aligned whatever offset the file buffer has.
const pixels = new Float32Array(new Uint8Array(bytes).buffer);

const session = await ort.InferenceSession.create(options.model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', pixels, [1, ...dims]) };
const outputName = session.outputNames[0];

let result;
for (let i = 0; i < warmup; i++)
  result = await session.run(feeds);
say({ ready: true, version: ort.env.versions.node ?? ort.env.versions.common });

let runs = 0;
for await (const _request of createInterface({ input: process.stdin })) {
  const start = process.hrtime.bigint();
  result = await session.run(feeds);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  runs++;
  say({ seconds });
}

if (options.output !== undefined && result !== undefined) {
  const data = result[outputName].data;
  await writeFile(options.output, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
say({ done: true, runs, output: result ? result[outputName].dims : null });
