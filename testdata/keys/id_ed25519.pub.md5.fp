256 MD5:d4:ad:a4:30:ad:ac:f8:ba:4d:45:42:b0:92:dc:9a:5a id_ed25519@keywright.test (ED25519)
