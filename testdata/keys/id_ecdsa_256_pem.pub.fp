256 SHA256:p6ECPFD9B5IaUz+ZLi28UUoeCojwGd5E+JJiqNzvF6c id_ecdsa_256_pem@keywright.test (ECDSA)
