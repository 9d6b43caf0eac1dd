// The shape of a contact's `data` (as in people's contact JSON schema); errors name the path, e.g. data.emails.0.value.
import { z } from 'zod';

const typed = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ type: z.string().trim().min(1).max(50), ...shape });

export const contactData = z.strictObject({
  emails: z
    .array(typed({ value: z.email({ error: 'Enter a valid email address.' }).max(254) }))
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
        street: z.string().max(255).default(''),
        postalCode: z.string().max(20).default(''),
        city: z.string().max(100).default(''),
        country: z.string().max(100).default(''),
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
        name: z.string().trim().min(1).max(255),
        department: z.string().max(255).optional(),
        jobTitle: z.string().max(255).optional(),
      }),
    )
    .max(20)
    .optional(),
  customFields: z.record(z.string().max(100), z.string().max(1000)).optional(),
});

export type ContactData = z.infer<typeof contactData>;
