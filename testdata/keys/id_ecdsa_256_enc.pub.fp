256 SHA256:YvugpORn4hWUpMsYBBnZHRBNgG+y71u0GqBbA5pZZes id_ecdsa_256_enc@keywright.test (ECDSA)
