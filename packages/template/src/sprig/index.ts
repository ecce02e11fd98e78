// consul-template's Sprig functions (template/template.go): Masterminds/sprig
// v3's HermeticTxtFuncMap under a "sprig_" prefix. Hermetic means without the
// functions whose result depends on the clock, randomness or the environment
// (date, dateModify, now, randAlpha..., uuidv4, env, expandenv, getHostByName): those are
// not there, so a template naming them fails to parse as in consul-template.

import type { FuncMap } from '../engine/exec.js';
import { certFuncs } from './certs.js';
import { cryptoFuncs } from './crypto.js';
import { dateFuncs } from './date.js';
import { defaultFuncs } from './defaults.js';
import { dictFuncs } from './dicts.js';
import { encodingFuncs } from './encoding.js';
import { listFuncs } from './lists.js';
import { numericFuncs } from './numeric.js';
import { pathFuncs } from './paths.js';
import { reflectFuncs } from './reflect.js';
import { regexFuncs } from './regex.js';
import { semverFuncs } from './semver.js';
import { stringFuncs } from './strings.js';
import { urlFuncs } from './url.js';

/** The sprig_* functions; `now` is the clock `ago` and `durationRound` measure from. */
export function sprigFuncs(now: () => Date = () => new Date()): FuncMap {
  const all: FuncMap = {
    ...stringFuncs, ...encodingFuncs, ...numericFuncs, ...listFuncs, ...dictFuncs, ...defaultFuncs,
    ...reflectFuncs, ...pathFuncs, ...regexFuncs, ...semverFuncs, ...cryptoFuncs, ...certFuncs, ...urlFuncs, ...dateFuncs(now),
  };
  const out: FuncMap = {};
  for (const [name, fn] of Object.entries(all)) out[`sprig_${name}`] = fn;
  return out;
}
