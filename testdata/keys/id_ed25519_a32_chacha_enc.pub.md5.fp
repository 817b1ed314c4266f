256 MD5:46:b1:46:91:ab:61:7c:8e:18:09:f1:d8:3d:b0:c0:c3 id_ed25519_a32_chacha_enc@keywright.test (ED25519)
