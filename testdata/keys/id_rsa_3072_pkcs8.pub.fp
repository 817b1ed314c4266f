3072 SHA256:aluvz+4jIx1wh5jgAwE0zDHk7RGvPoUjqnn6Sfq5K4U id_rsa_3072_pkcs8@keywright.test (RSA)
