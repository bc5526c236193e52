// pmix query MODEL.json "QUERY": answers one query (same forms as `query` in a .pmix file).
import { answerJson } from '../json-names.js';
import { parseQuery } from '../../language/index.js';
import { answerQuery } from '../../session/answer-query.js';
import { formatAnswer } from '../../api/index.js';
import { guard } from '../guard.js';
import { fail, jsonText, type Output } from '../io.js';
import { loadArtifact } from '../load.js';

export function queryCommand(modelPath: string, text: string, io: Output, points?: number): void {
  const { state } = loadArtifact(modelPath, io, points);
  const file = '<query>';
  const sources = new Map([[file, text]]);
  const { query, diagnostics } = parseQuery(text, file);
  if (!query) fail(diagnostics, sources, io);
  const answer = guard(() => answerQuery(state, query, { file }), sources, io);
  io.out(io.json ? jsonText({ ok: true, query: text, answer: answerJson(answer) }) : formatAnswer(answer));
}
