// pulumi-agc: what a Pulumi program imports.
export {};
