// consul-template's Sprig functions (template/template.go): Masterminds/sprig
// v3's HermeticTxtFuncMap under a "sprig_" prefix. Hermetic means without the
// functions whose result depends on the clock, randomness or the environment
// (date, now, randAlpha..., uuidv4, env, expandenv, getHostByName): those are
// not there, so a template naming them fails to parse as in consul-template.
// A few functions cannot be done exactly here; they are refused at parse time.

import type { FuncMap, TemplateFunc } from '../engine/exec.js';
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

/** Sprig functions proconsul-template does not implement, and why. */
export const REFUSED_SPRIG: Record<string, string> = {
  buildCustomCert: 'it builds X.509 certificates',
  genCA: 'it builds X.509 certificates',
  genCAWithKey: 'it builds X.509 certificates',
  genSelfSignedCert: 'it builds X.509 certificates',
  genSelfSignedCertWithKey: 'it builds X.509 certificates',
  genSignedCert: 'it builds X.509 certificates',
  genSignedCertWithKey: 'it builds X.509 certificates',
  toDate: "it parses Go time layouts",
  mustToDate: "it parses Go time layouts",
};

function refused(name: string, why: string): TemplateFunc {
  const fn: TemplateFunc = () => {
    throw new Error(`function ${JSON.stringify(name)} is not supported by proconsul-template: ${why}`);
  };
  fn.refused = `function ${JSON.stringify(name)} is not supported by proconsul-template (${why})`;
  return fn;
}

/** The sprig_* functions; `now` is the clock `ago` and `durationRound` measure from. */
export function sprigFuncs(now: () => Date = () => new Date()): FuncMap {
  const all: FuncMap = {
    ...stringFuncs, ...encodingFuncs, ...numericFuncs, ...listFuncs, ...dictFuncs, ...defaultFuncs,
    ...reflectFuncs, ...pathFuncs, ...regexFuncs, ...semverFuncs, ...cryptoFuncs, ...urlFuncs, ...dateFuncs(now),
  };
  const out: FuncMap = {};
  for (const [name, fn] of Object.entries(all)) out[`sprig_${name}`] = fn;
  for (const [name, why] of Object.entries(REFUSED_SPRIG)) out[`sprig_${name}`] = refused(`sprig_${name}`, why);
  return out;
}
