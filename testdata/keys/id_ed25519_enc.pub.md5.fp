256 MD5:7d:1d:1b:ec:66:1f:52:20:fd:bf:f2:32:74:57:c6:62 id_ed25519_enc@keywright.test (ED25519)
