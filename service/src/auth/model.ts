import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { uuidPrimaryKey, nullableDate, optionalText, timestamps } from '../platform/model-attributes';

export const ROLES = ['patient', 'provider', 'admin', 'operator'] as const;
export type Role = (typeof ROLES)[number];
export const USER_STATUSES = ['active', 'locked', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Emails are stored in this form (the schema checks it), so every lookup by email uses it too. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<string>;
  declare email: string;
  declare passwordHash: string | null;
  declare role: Role;
  declare status: CreationOptional<UserStatus>;
  declare failedLoginCount: CreationOptional<number>;
  declare lockedUntil: Date | null;
  declare mfaEnrolled: CreationOptional<boolean>;
  declare externalSubject: string | null;
  declare passwordChangedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Session extends Model<InferAttributes<Session>, InferCreationAttributes<Session>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']>;
  declare aal: CreationOptional<'aal1' | 'aal2'>;
  declare authMethod: 'password' | 'external';
  declare stepUpAt: Date | null;
  declare ip: string | null;
  declare userAgent: string | null;
  declare lastSeenAt: CreationOptional<Date>;
  declare expiresAt: Date;
  declare revokedAt: Date | null;
  declare revokedReason: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class RefreshToken extends Model<
  InferAttributes<RefreshToken>,
  InferCreationAttributes<RefreshToken>
> {
  declare id: CreationOptional<string>;
  declare sessionId: ForeignKey<Session['id']>;
  declare tokenHash: string;
  declare rotatedAt: Date | null;
  declare replacedById: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class MfaFactor extends Model<InferAttributes<MfaFactor>, InferCreationAttributes<MfaFactor>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']>;
  declare kind: CreationOptional<'totp'>;
  declare secretCiphertext: string;
  declare confirmedAt: Date | null;
  declare lastUsedStep: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class RecoveryCode extends Model<
  InferAttributes<RecoveryCode>,
  InferCreationAttributes<RecoveryCode>
> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']>;
  declare codeHash: string;
  declare usedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class PasswordReset extends Model<
  InferAttributes<PasswordReset>,
  InferCreationAttributes<PasswordReset>
> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']>;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** Between a correct password and a correct second factor (auth/mfa-challenges.ts, migration 0016). */
export class MfaChallenge extends Model<
  InferAttributes<MfaChallenge>,
  InferCreationAttributes<MfaChallenge>
> {
  declare tokenHash: string;
  declare userId: ForeignKey<User['id']>;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
}

export function initIdentityModels(sequelize: Sequelize): void {
  User.init(
    {
      id: uuidPrimaryKey(),
      email: {
        type: DataTypes.TEXT,
        allowNull: false,
        set(value: string) {
          this.setDataValue('email', normalizeEmail(value));
        },
      },
      passwordHash: optionalText(),
      role: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [ROLES] } },
      status: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'active',
        validate: { isIn: [USER_STATUSES] },
      },
      failedLoginCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lockedUntil: nullableDate(),
      mfaEnrolled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      externalSubject: optionalText(),
      passwordChangedAt: nullableDate(),
      ...timestamps(),
    },
    { sequelize, tableName: 'users', modelName: 'User' },
  );
  Session.init(
    {
      id: uuidPrimaryKey(),
      aal: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'aal1' },
      authMethod: { type: DataTypes.TEXT, allowNull: false },
      stepUpAt: nullableDate(),
      ip: optionalText(),
      userAgent: optionalText(),
      lastSeenAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      revokedAt: nullableDate(),
      revokedReason: optionalText(),
      ...timestamps(),
    },
    { sequelize, tableName: 'sessions', modelName: 'Session' },
  );
  RefreshToken.init(
    {
      id: uuidPrimaryKey(),
      tokenHash: { type: DataTypes.TEXT, allowNull: false, unique: true },
      rotatedAt: nullableDate(),
      replacedById: { type: DataTypes.UUID, allowNull: true },
      ...timestamps(),
    },
    { sequelize, tableName: 'refresh_tokens', modelName: 'RefreshToken' },
  );
  MfaFactor.init(
    {
      id: uuidPrimaryKey(),
      kind: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'totp' },
      secretCiphertext: { type: DataTypes.TEXT, allowNull: false },
      confirmedAt: nullableDate(),
      lastUsedStep: { type: DataTypes.BIGINT, allowNull: true },
      ...timestamps(),
    },
    { sequelize, tableName: 'mfa_factors', modelName: 'MfaFactor' },
  );
  RecoveryCode.init(
    {
      id: uuidPrimaryKey(),
      codeHash: { type: DataTypes.TEXT, allowNull: false },
      usedAt: nullableDate(),
      ...timestamps(),
    },
    { sequelize, tableName: 'recovery_codes', modelName: 'RecoveryCode' },
  );
  PasswordReset.init(
    {
      id: uuidPrimaryKey(),
      tokenHash: { type: DataTypes.TEXT, allowNull: false, unique: true },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: nullableDate(),
      ...timestamps(),
    },
    { sequelize, tableName: 'password_resets', modelName: 'PasswordReset' },
  );
  MfaChallenge.init(
    {
      tokenHash: { type: DataTypes.TEXT, primaryKey: true },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      createdAt: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, tableName: 'mfa_challenges', modelName: 'MfaChallenge', updatedAt: false },
  );

  // A fresh options object per association: Sequelize mutates the one it is given.
  const owned = () => ({ foreignKey: { name: 'userId', allowNull: false }, onDelete: 'CASCADE' }) as const;
  User.hasMany(Session, owned());
  Session.belongsTo(User, owned());
  Session.hasMany(RefreshToken, { foreignKey: { name: 'sessionId', allowNull: false }, onDelete: 'CASCADE' });
  RefreshToken.belongsTo(Session, {
    foreignKey: { name: 'sessionId', allowNull: false },
    onDelete: 'CASCADE',
  });
  RefreshToken.belongsTo(RefreshToken, {
    as: 'replacedBy',
    foreignKey: 'replacedById',
    onDelete: 'SET NULL',
  });
  User.hasOne(MfaFactor, owned());
  MfaFactor.belongsTo(User, owned());
  User.hasMany(RecoveryCode, owned());
  RecoveryCode.belongsTo(User, owned());
  User.hasMany(PasswordReset, owned());
  PasswordReset.belongsTo(User, owned());
  User.hasMany(MfaChallenge, owned());
  MfaChallenge.belongsTo(User, owned());
}
