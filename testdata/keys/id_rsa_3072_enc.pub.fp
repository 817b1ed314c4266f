3072 SHA256:p2OfWQYsZj0DKdozRAVgRyV1IIM8xL5b+2nVgJY6AJg id_rsa_3072_enc@keywright.test (RSA)
