import type { PrismaClient } from '@sms-survey/db';

/**
 * The suppression list the orchestrator keeps (customers who texted STOP, or whom Twilio reported as
 * unsubscribed with error 21610), read by SendSurvey to refuse surveys to them.
 */
export interface SuppressionList {
  isSuppressed(customer: string): Promise<boolean>;
}

export function createSuppressionList(prisma: PrismaClient): SuppressionList {
  return {
    async isSuppressed(customer) {
      return (await prisma.suppressedCustomer.findUnique({ where: { customer }, select: { customer: true } })) !== null;
    },
  };
}
