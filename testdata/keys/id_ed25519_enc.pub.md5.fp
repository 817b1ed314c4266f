256 MD5:ae:28:c6:8c:5a:94:db:3b:c6:1b:d3:89:22:c5:e6:5f id_ed25519_enc@keywright.test (ED25519)
