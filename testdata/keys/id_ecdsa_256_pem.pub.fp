256 SHA256:kBL+u9WYK3XzDT9bEKso8sLbrV8OrvZbQIx7RGYBgJI id_ecdsa_256_pem@keywright.test (ECDSA)
