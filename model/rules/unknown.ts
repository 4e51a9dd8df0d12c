// Values Pulumi has not computed yet. During preview the engine sends this sentinel in place
// of any unknown input, whatever its declared type (pulumi/pulumi#6310), also inside arrays.

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True for the preview sentinel. */
export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** True when the value is unknown or holds an unknown anywhere inside it. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value as Record<string, unknown>).some(containsUnknown);
    }
    return false;
}

/** For inventory fields: undefined means "will be computed", so it is unknown too. */
export function isKnown<T>(value: T | undefined): value is T {
    return value !== undefined && !containsUnknown(value);
}
