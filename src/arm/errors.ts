/**
 * ARM's error envelope and the error codes aksemu answers with.
 *
 * Every failure leaves the server as `{"error": {"code", "message", "target"?, "details"?}}`, the shape ARM and AKS
 * use. Codes and messages follow the real services (see shared/aks-data/aks-policy-facts.md §6 and the recordings);
 * each message says what the caller should change.
 */
export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: ArmErrorBody[] | undefined;
  /** Extra response headers (WWW-Authenticate on 401s, for example). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { target?: string; details?: ArmErrorBody[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ArmError";
    this.status = status;
    this.code = code;
    this.target = options.target;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  toBody(): { error: ArmErrorBody } {
    const error: ArmErrorBody = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isArmError(value: unknown): value is ArmError {
  return value instanceof ArmError;
}

/** The generic ARM errors shared by every provider. Provider-specific codes live with their provider. */
export const armErrors = {
  missingApiVersion: (supported: readonly string[]) =>
    new ArmError(
      400,
      "MissingApiVersionParameter",
      `The api-version query parameter (?api-version=) is required for all requests. Supported api-versions are '${supported.join(", ")}'.`,
    ),
  invalidApiVersion: (given: string, resourceType: string, supported: readonly string[]) =>
    new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${given}' is invalid. The supported versions for resource type '${resourceType}' are '${supported.join(", ")}'.`,
    ),
  noRegisteredProviderFound: (given: string, resourceType: string, supported: readonly string[]) =>
    new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location 'global' and API version '${given}' for type '${resourceType}'. The supported api-versions are '${supported.join(", ")}'.`,
    ),
  invalidRequestContent: (detail: string) =>
    new ArmError(
      400,
      "InvalidRequestContent",
      `The request content was invalid and could not be deserialized: '${detail}'.`,
    ),
  requestTooLarge: (limitBytes: number) =>
    new ArmError(
      413,
      "RequestContentTooLarge",
      `The request content size exceeds the maximum allowed size of ${limitBytes} bytes. Send a smaller request body.`,
    ),
  unsupportedMediaType: (contentType: string) =>
    new ArmError(
      415,
      "UnsupportedMediaType",
      `The content media type '${contentType}' is not supported. Only 'application/json' is supported.`,
    ),
  invalidResourceNamespace: (namespace: string) =>
    new ArmError(404, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`),
  invalidResourceType: (resourceType: string, namespace: string, apiVersion: string) =>
    new ArmError(
      404,
      "InvalidResourceType",
      `The resource type '${resourceType}' could not be found in the namespace '${namespace}' for api version '${apiVersion}'.`,
    ),
  notFound: (path: string) =>
    new ArmError(404, "NotFound", `No HTTP resource was found that matches the request URI '${path}'.`),
  methodNotAllowed: (method: string, path: string) =>
    new ArmError(
      405,
      "MethodNotAllowed",
      `The requested resource does not support http method '${method}' on '${path}'.`,
    ),
  subscriptionNotFound: (subscriptionId: string) =>
    new ArmError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`),
  invalidSubscriptionId: (subscriptionId: string) =>
    new ArmError(
      400,
      "InvalidSubscriptionId",
      `The provided subscription identifier '${subscriptionId}' is malformed or invalid. Use the subscription GUID shown by 'GET /subscriptions'.`,
    ),
  resourceGroupNotFound: (name: string) =>
    new ArmError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`),
  resourceNotFound: (type: string, name: string, resourceGroup: string) =>
    new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  preconditionFailed: (detail: string) => new ArmError(412, "PreconditionFailed", detail),
  readOnlyDisabledSubscription: (subscriptionId: string) =>
    new ArmError(
      409,
      "ReadOnlyDisabledSubscription",
      `The subscription '${subscriptionId}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.`,
    ),
  invalidParameter: (message: string, target?: string) =>
    new ArmError(400, "InvalidParameter", message, target === undefined ? {} : { target }),
  badRequest: (message: string, target?: string) =>
    new ArmError(400, "BadRequest", message, target === undefined ? {} : { target }),
  conflict: (code: string, message: string) => new ArmError(409, code, message),
  missingSubscriptionRegistration: (namespace: string) =>
    new ArmError(
      409,
      "MissingSubscriptionRegistration",
      `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
      { target: namespace },
    ),
};
