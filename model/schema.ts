// A small builder for the OpenAPI v3 schemas of our CRDs (apiextensions.k8s.io/v1
// JSONSchemaProps), so the schemas are code next to the kinds and share their constants.

export interface CelRule {
    rule: string;
    message: string;
    /** Points the error at a field (e.g. ".type") instead of the object holding the rule. */
    fieldPath?: string;
    reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

export interface Schema {
    type?: "object" | "array" | "string" | "integer" | "boolean" | "number";
    description?: string;
    properties?: Record<string, Schema>;
    required?: string[];
    items?: Schema;
    additionalProperties?: Schema;
    enum?: (string | number)[];
    pattern?: string;
    format?: string;
    minLength?: number;
    maxLength?: number;
    minItems?: number;
    maxItems?: number;
    minimum?: number;
    maximum?: number;
    default?: unknown;
    "x-kubernetes-validations"?: CelRule[];
    "x-kubernetes-list-type"?: "atomic" | "set" | "map";
    "x-kubernetes-list-map-keys"?: string[];
    "x-kubernetes-preserve-unknown-fields"?: boolean;
}

type Options = Omit<Schema, "type" | "properties" | "items" | "required" | "additionalProperties">;

/** Drops undefined options so generated YAML stays clean and stable. */
function compact(schema: Schema): Schema {
    return Object.fromEntries(Object.entries(schema).filter(([, v]) => v !== undefined)) as Schema;
}

export const s = {
    string: (description: string, options: Options = {}): Schema => compact({ type: "string", description, ...options }),
    integer: (description: string, options: Options = {}): Schema => compact({ type: "integer", description, format: "int32", ...options }),
    boolean: (description: string, options: Options = {}): Schema => compact({ type: "boolean", description, ...options }),
    array: (description: string, items: Schema, options: Options = {}): Schema => compact({ type: "array", description, items, ...options }),
    /** Required properties are listed; the rest are optional. */
    object: (description: string, properties: Record<string, Schema>, required: string[] = [], options: Options = {}): Schema =>
        compact({ type: "object", description, properties, required: required.length > 0 ? required : undefined, ...options }),
    map: (description: string, values: Schema, options: Options = {}): Schema => compact({ type: "object", description, additionalProperties: values, ...options }),
};

/** Adds CEL rules to a schema (for what OpenAPI alone cannot say). */
export function withRules(schema: Schema, ...rules: CelRule[]): Schema {
    return { ...schema, "x-kubernetes-validations": [...(schema["x-kubernetes-validations"] ?? []), ...rules] };
}
