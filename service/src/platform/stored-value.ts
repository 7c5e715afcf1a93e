import type { Attributes, Model, ModelStatic } from 'sequelize';

/**
 * What a model stores for `value` in `attribute`, after its setter ran: for an encrypted attribute, the
 * ciphertext. Lets a hand-written conditional UPDATE write exactly what the model would, without the
 * service holding the cipher.
 */
export function storedValueOf<M extends Model>(
  model: ModelStatic<M>,
  attribute: keyof Attributes<M> & string,
  value: unknown,
): unknown {
  const probe = model.build();
  probe.set(attribute, value as never);
  return probe.getDataValue(attribute);
}
