import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { conflict, unprocessable } from '../platform/errors';
import type { FieldCipher } from '../platform/field-cipher';
import { sha256 } from './hashing';
import { MfaFactor, RecoveryCode, User } from './model';
import { matchingStep, newTotpSecret, otpauthUri } from './totp';

const RECOVERY_CODE_COUNT = 10;

/** 80 random bits shown as xxxxx-xxxxx-xxxxx-xxxxx (hex): typed rarely, so length beats comfort. */
const newRecoveryCode = () => randomBytes(10).toString('hex').match(/.{5}/g)!.join('-');
const normalizeRecoveryCode = (code: string) =>
  code
    .trim()
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '');

export interface Enrollment {
  readonly secret: string;
  readonly otpauthUri: string;
}

export interface MfaService {
  startEnrollment(userId: string, label: string): Promise<Enrollment>;
  /** Confirms the pending factor with a code from the app; answers the new recovery codes. */
  confirmEnrollment(userId: string, code: string): Promise<string[] | undefined>;
  /** True once per valid code: a code (or an older one) that was already used is refused. */
  verifyCode(userId: string, code: string): Promise<boolean>;
  useRecoveryCode(userId: string, code: string): Promise<boolean>;
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
}

export function createMfaService(sequelize: Sequelize, cipher: FieldCipher): MfaService {
  /** Atomic: of two requests presenting the same code at once, exactly one moves the step forward. */
  const claimStep = async (factorId: string, step: number, confirm: boolean) => {
    const rows = await sequelize.query(
      `UPDATE mfa_factors SET last_used_step = $2, updated_at = now()${confirm ? ', confirmed_at = now()' : ''}
        WHERE id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING id`,
      { bind: [factorId, step], type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  };

  const factorOf = (userId: string) => MfaFactor.findOne({ where: { userId, kind: 'totp' }, raw: true });

  /** A code for a pending factor confirms it; for a confirmed one it is a second factor. */
  const checkCode = async (factor: MfaFactor, code: string) => {
    const step = matchingStep(cipher.decrypt(factor.secretCiphertext), code);
    return step !== undefined && (await claimStep(factor.id, step, factor.confirmedAt === null));
  };

  const replaceRecoveryCodes = async (userId: string) => {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await sequelize.transaction(async (transaction) => {
      await RecoveryCode.destroy({ where: { userId }, transaction });
      await RecoveryCode.bulkCreate(
        codes.map((code) => ({ userId, codeHash: sha256(normalizeRecoveryCode(code)), usedAt: null })),
        { transaction },
      );
    });
    return codes;
  };

  return {
    async startEnrollment(userId, label) {
      const existing = await MfaFactor.findOne({ where: { userId, kind: 'totp' } });
      if (existing?.confirmedAt)
        throw conflict('An authenticator is already enrolled.', 'mfa_already_enrolled');
      const secret = newTotpSecret();
      const secretCiphertext = cipher.encrypt(secret);
      if (existing) await existing.update({ secretCiphertext, lastUsedStep: null });
      else await MfaFactor.create({ userId, secretCiphertext, confirmedAt: null, lastUsedStep: null });
      return { secret, otpauthUri: otpauthUri(secret, label) };
    },
    async confirmEnrollment(userId, code) {
      const pending = await factorOf(userId);
      if (!pending || pending.confirmedAt !== null)
        throw unprocessable([{ pointer: '#/body/code', detail: 'there is no enrollment to confirm' }]);
      if (!(await checkCode(pending, code))) return undefined;
      await User.update({ mfaEnrolled: true }, { where: { id: userId } });
      return replaceRecoveryCodes(userId);
    },
    async verifyCode(userId, code) {
      const factor = await factorOf(userId);
      return factor?.confirmedAt ? checkCode(factor, code) : false;
    },
    async useRecoveryCode(userId, code) {
      const [, used] = await RecoveryCode.update(
        { usedAt: new Date() },
        { where: { userId, codeHash: sha256(normalizeRecoveryCode(code)), usedAt: null }, returning: true },
      );
      return used.length === 1;
    },
    regenerateRecoveryCodes: replaceRecoveryCodes,
  };
}
