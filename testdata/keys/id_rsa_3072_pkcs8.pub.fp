3072 SHA256:xNKNYNKdHc28FjmHy4YuTFLxgj+nArRS9yeUT6mteEE id_rsa_3072_pkcs8@keywright.test (RSA)
