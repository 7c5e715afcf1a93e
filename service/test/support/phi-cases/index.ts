import { cases as audit } from './audit';
import { cases as consultations } from './consultations';
import { cases as prescriptions } from './prescriptions';
import type { PhiRouteCase } from './types';

/** Every feature's PHI route cases; a feature with PHI routes adds its file here. */
export const phiRouteCases: readonly PhiRouteCase[] = [...audit, ...consultations, ...prescriptions];
