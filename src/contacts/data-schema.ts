// The shape of a contact's `data` (as in people's contact JSON schema); errors name the path, e.g. data.emails.0.value.
import { z } from 'zod';
import { email, requiredText, text } from '../platform/input.ts';

/** How many custom fields a contact may carry: enough for any card, too few to bloat a row or a page of results. */
export const MAX_CUSTOM_FIELDS = 50;

const typed = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ type: requiredText(50), ...shape });

export const contactData = z.strictObject({
  emails: z
    .array(typed({ value: email() }))
    .max(50)
    .optional(),
  phones: z
    .array(
      typed({
        value: z
          .string()
          .trim()
          .min(3)
          .max(40)
          .regex(/^[0-9+().\s-]+$/, 'Enter a valid phone number.'),
      }),
    )
    .max(50)
    .optional(),
  addresses: z
    .array(
      typed({
        street: text(255).default(''),
        postalCode: text(20).default(''),
        city: text(100).default(''),
        country: text(100).default(''),
      }),
    )
    .max(20)
    .optional(),
  links: z
    .array(typed({ value: z.url({ protocol: /^https?$/, error: 'Enter a valid http(s) URL.' }).max(2048) }))
    .max(50)
    .optional(),
  organizations: z
    .array(
      z.strictObject({
        name: requiredText(255),
        department: text(255).optional(),
        jobTitle: text(255).optional(),
      }),
    )
    .max(20)
    .optional(),
  customFields: z
    .record(requiredText(100), text(1000))
    .refine((fields) => Object.keys(fields).length <= MAX_CUSTOM_FIELDS, {
      message: `At most ${MAX_CUSTOM_FIELDS} custom fields.`,
    })
    .optional(),
});

export type ContactData = z.infer<typeof contactData>;
