256 SHA256:rxggmv2Zbk4xckUqHn9cbkCt49UwXJ8hA3j/899eqZs id_ecdsa_256@keywright.test (ECDSA)
