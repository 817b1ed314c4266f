2048 SHA256:+vpM2jGt5ioSLe1DpP2qCXYlReunWyJg02GkqPwqTjg id_rsa_2048_pem@keywright.test (RSA)
