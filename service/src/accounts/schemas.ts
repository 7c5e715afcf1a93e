import { z } from 'zod';
import { ROLES, USER_STATUSES } from '../auth/model';
import { EmailSchema, NewPasswordSchema } from '../auth/schemas';
import { SPECIALTIES } from '../providers/model';

const name = z.string().trim().min(1).max(100);
const pastDate = z.iso
  .date()
  .refine(
    (value) => value > '1900-01-01' && new Date(`${value}T00:00:00Z`) <= new Date(),
    'a date in the past, after 1900',
  );

export const RegisterBody = z.strictObject({
  email: EmailSchema,
  password: NewPasswordSchema,
  givenName: name,
  familyName: name,
  dateOfBirth: pastDate,
  phone: z
    .string()
    .max(16)
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +14155550123')
    .optional(),
});

const staffBase = { email: EmailSchema };

export const CreateUserBody = z.discriminatedUnion('role', [
  z.strictObject({
    ...staffBase,
    role: z.literal('provider'),
    displayName: name,
    licenseNumber: z.string().trim().min(1).max(50),
    licenseState: z
      .string()
      .length(2)
      .regex(/^[A-Z]{2}$/, 'a two-letter state code'),
    specialty: z.enum(SPECIALTIES),
  }),
  z.strictObject({ ...staffBase, role: z.literal('admin') }),
  // Operators watch the operations console: aggregates only, no profile.
  z.strictObject({ ...staffBase, role: z.literal('operator') }),
]);

export type RegisterInput = z.infer<typeof RegisterBody>;
export type CreateUserInput = z.infer<typeof CreateUserBody>;

export const AccountParams = z.strictObject({ id: z.uuid() });

export const AccountStatusResponse = z.strictObject({
  id: z.uuid(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
});
