module agc.local/toolchain/pause

go 1.24
