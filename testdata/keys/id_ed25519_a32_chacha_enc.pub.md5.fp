256 MD5:2f:cd:53:30:e0:f4:e9:62:71:a0:e9:9b:07:f0:ed:aa id_ed25519_a32_chacha_enc@keywright.test (ED25519)
