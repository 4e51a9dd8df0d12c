module agc.local/toolchain/pulumi-language-nodejs

go 1.25
