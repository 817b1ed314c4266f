4096 SHA256:lu12caeCQ1RAX7z+48X++4ogXH1Rgz5ddhY2x25NZho id_rsa_4096@keywright.test (RSA)
