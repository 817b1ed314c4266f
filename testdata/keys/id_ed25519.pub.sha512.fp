256 SHA512:6SE704mD+TpO2iFjFZVn4RGXpn+Ag/r7+k5nJHzrSgK/oiKUebyfx8yfC4S6td5HVZ8Okilr0Qms0fcnIrNW+Q id_ed25519@keywright.test (ED25519)
