// The pure rule behind 95-pictures' "visible": rendered, with a size, and inside its frame (tests/lib/browser.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawingProblems, type DrawnElement } from '../lib/browser.js';

const frame = { x: 0, y: 0, width: 760, height: 376 };
const label = (box: DrawnElement['box'], rendered = true): DrawnElement => ({ tag: 'text', label: '02:54:05', box, frame, rendered });

test('drawingProblems: whole and inside is fine, half a pixel of rounding too', () => {
  assert.deepEqual(drawingProblems(label({ x: 690, y: 300, width: 54, height: 14 })), []);
  assert.deepEqual(drawingProblems(label({ x: 706.4, y: 300, width: 54, height: 14 })), []);
});

test('drawingProblems names the side that is cut off and by how much', () => {
  assert.deepEqual(drawingProblems(label({ x: 713, y: 300, width: 54, height: 14 })), ['<text> "02:54:05" sticks out of its frame (right by 7.0 px)']);
  assert.match(drawingProblems(label({ x: -3, y: -2, width: 54, height: 14 }))[0]!, /\(left by 3\.0 px, top by 2\.0 px\)/);
  assert.match(drawingProblems(label({ x: 10, y: 370, width: 54, height: 14 }))[0]!, /bottom by 8\.0 px/);
});

test('drawingProblems: hidden or empty is reported; a flat line needs no area', () => {
  assert.deepEqual(drawingProblems(label({ x: 10, y: 10, width: 54, height: 14 }, false)), ['<text> "02:54:05" is hidden']);
  assert.match(drawingProblems(label({ x: 10, y: 10, width: 0, height: 0 }))[0]!, /has no size/);
  assert.deepEqual(drawingProblems(label({ x: 10, y: 10, width: 600, height: 0 }), { mustHaveArea: false }), []);
});
