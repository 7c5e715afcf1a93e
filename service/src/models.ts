import type { Sequelize } from 'sequelize';
import { BreakGlassReason, initBreakGlassModel } from './audit/break-glass-model';
import { AuditEvent, AuditSeal, initAuditModel } from './audit/model';
import { AuditVerification, initAuditVerificationModel } from './audit/verification-model';
import {
  MfaChallenge,
  MfaFactor,
  PasswordReset,
  RecoveryCode,
  RefreshToken,
  Session,
  User,
  initIdentityModels,
} from './auth/model';
import { Consultation, initConsultationModel } from './consultations/model';
import { Patient, initPatientModel } from './patients/model';
import type { FieldCipher } from './platform/field-cipher';
import { OutboxMessage, initOutboxModel } from './platform/outbox';
import { Prescription, initPrescriptionModel } from './prescriptions/model';
import { Provider, initProviderModel } from './providers/model';

/**
 * The composition root of the data layer: every feature's models on one connection, and the
 * associations that cross features (which is why they live here and not in a feature folder).
 */
export function initModels(sequelize: Sequelize, cipher: FieldCipher) {
  initIdentityModels(sequelize);
  initPatientModel(sequelize, cipher);
  initProviderModel(sequelize);
  initConsultationModel(sequelize, cipher);
  initPrescriptionModel(sequelize);
  initAuditModel(sequelize);
  initAuditVerificationModel(sequelize);
  initBreakGlassModel(sequelize, cipher);
  initOutboxModel(sequelize);

  // Fresh options objects per association: Sequelize mutates the one it is given, and a shared one
  // leaks settings (such as cascading hooks) from one association into the next.
  const profileOf = () =>
    ({ foreignKey: { name: 'userId', allowNull: false }, onDelete: 'CASCADE' }) as const;
  User.hasOne(Patient, profileOf());
  Patient.belongsTo(User, profileOf());
  User.hasOne(Provider, profileOf());
  Provider.belongsTo(User, profileOf());

  const kept = { onDelete: 'RESTRICT' } as const;
  Patient.hasMany(Consultation, { ...kept, foreignKey: { name: 'patientId', allowNull: false } });
  Consultation.belongsTo(Patient, { ...kept, foreignKey: { name: 'patientId', allowNull: false } });
  Provider.hasMany(Consultation, { ...kept, foreignKey: { name: 'providerId', allowNull: true } });
  Consultation.belongsTo(Provider, { ...kept, foreignKey: { name: 'providerId', allowNull: true } });
  Consultation.hasMany(Prescription, { ...kept, foreignKey: { name: 'consultationId', allowNull: false } });
  Prescription.belongsTo(Consultation, { ...kept, foreignKey: { name: 'consultationId', allowNull: false } });
  Prescription.belongsTo(Patient, { ...kept, foreignKey: { name: 'patientId', allowNull: false } });
  Prescription.belongsTo(Provider, { ...kept, foreignKey: { name: 'providerId', allowNull: false } });

  return {
    User,
    Session,
    RefreshToken,
    MfaFactor,
    RecoveryCode,
    PasswordReset,
    MfaChallenge,
    Patient,
    Provider,
    Consultation,
    Prescription,
    AuditEvent,
    AuditSeal,
    AuditVerification,
    BreakGlassReason,
    OutboxMessage,
  };
}

export type Models = ReturnType<typeof initModels>;
