256 MD5:a1:94:61:a9:05:78:a2:61:c2:db:83:f3:a5:a4:26:6d id_ed25519@keywright.test (ED25519)
