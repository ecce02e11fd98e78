// The Connect CA values `caRoots` and `caLeaf` hand to templates: consul-template returns
// Consul's own api.CARoot and api.LeafCert structs (dependency/connect_ca.go, connect_leaf.go),
// so the fields are those of hashicorp/consul api/connect_ca.go, in its order. Classes, so a
// misspelled field is a template error as in Go.

import type { CARoot as ApiCARoot, LeafCert as ApiLeafCert } from '@proconsul/api';
import { GoTime } from './gotime.js';

/** api.CARoot: one trusted root of `caRoots`. */
export class CARoot {
  static goTypeName = '*api.CARoot';
  ID: string;
  Name: string;
  /** The PEM certificate (`RootCert` in the JSON, RootCertPEM in Go). */
  RootCertPEM: string;
  Active: boolean;
  CreateIndex: number;
  ModifyIndex: number;
  constructor(r: ApiCARoot) {
    this.ID = r.ID;
    this.Name = r.Name;
    this.RootCertPEM = r.RootCert;
    this.Active = r.Active;
    this.CreateIndex = r.CreateIndex;
    this.ModifyIndex = r.ModifyIndex;
  }
}

/** api.LeafCert: the result of `caLeaf`. */
export class LeafCert {
  static goTypeName = '*api.LeafCert';
  SerialNumber: string;
  CertPEM: string;
  PrivateKeyPEM: string;
  Service: string;
  ServiceURI: string;
  ValidAfter: GoTime;
  ValidBefore: GoTime;
  CreateIndex: number;
  ModifyIndex: number;
  constructor(l: ApiLeafCert) {
    this.SerialNumber = l.SerialNumber;
    this.CertPEM = l.CertPEM ?? '';
    this.PrivateKeyPEM = l.PrivateKeyPEM ?? '';
    this.Service = l.Service;
    this.ServiceURI = l.ServiceURI;
    this.ValidAfter = GoTime.parse(l.ValidAfter);
    this.ValidBefore = GoTime.parse(l.ValidBefore);
    this.CreateIndex = l.CreateIndex;
    this.ModifyIndex = l.ModifyIndex;
  }
}
