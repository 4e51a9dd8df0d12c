// The constraint rules: per-resource checks, inventory checks, and what the controller counts.
export * from "./unknown";
export * from "./violation";
export * from "./constraints";
export * from "./kubernetes";
export * from "./resources";
export * from "./inventory";
export * from "./allocate";
export * from "./plan";
