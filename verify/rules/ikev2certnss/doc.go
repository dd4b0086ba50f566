// Package ikev2certnss checks that IKEv2 with certificates has the network
// security server it needs (SWSA010, ikev2-cert-nss).
//
// IKED does IKEv2 certificate operations only through NSSD's certificate
// service: IKEv2 needs services such as revocation checking that IKED's
// local key ring cannot provide. A KeyExchangeAction that initiates IKEv2
// and authenticates with a digital signature therefore needs IkeConfig
// NetworkSecurityServer and an NssStackConfig for the stack with
// ServiceType Cert; without them the negotiation fails.
//
// Fix: configure NetworkSecurityServer in iked.conf and NssStackConfig
// stack { ClientName …; ServiceType Cert }, or authenticate with a
// pre-shared key.
package ikev2certnss
