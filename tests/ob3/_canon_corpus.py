"""A deterministic corpus of varied Open Badges 3.0 credentials for the canonicalisation oracle.

``corpus(seed, n)`` draws every OB 3.0 field (issuer profiles with addresses and geo
coordinates, achievements with alignments, result descriptions and their ``@list`` of allowed
values, rubric levels, results, identity objects, evidence, status entries, schemas), embedded
endorsements with their own proofs, multilingual names (language value objects), numbers
(integers, floats, huge and negative ones, booleans), dates, nested and chained proofs, VCDM 1.1
and 2.0 contexts, awkward strings (quotes, backslashes, new lines, right-to-left scripts,
emoji), plus a share of documents the fast path must hand to pyld (undefined terms under VCDM
1.1, relative IRIs, inline contexts, ``@graph``, ``@direction``, ``@json``...).
"""

from __future__ import annotations

import random
from typing import Any

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = [
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
]
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
STATUS_2021 = "https://w3id.org/vc/status-list/2021/v1"

WORDS = [
    "Accueillir", "le", "public", "d'une", "structure", "d’insertion", 'dit "oui"', "back\\slash",
    "ligne\nnouvelle", "tab\there", "retour\rchariot", "مرحبا", "Привіт", "café", "œuvre", "😀",
    "a&b<c>", "  espaces  ", "", "Ⅻ", "x\u00a0y", "naïve", "straße", "日本語",
]
FLOATS = [0.5, -3.25, 1e22, 2.0, 1.5e-7, 100.0, 3.141592653589793, 1e21, 12345.678]
INTS = [0, 1, -7, 42, 10**20, 10**21, 999999999999]


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.n = 0

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def text(self, k: int = 4) -> str:
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(1, k)))

    def urn(self) -> str:
        self.n += 1
        return f"urn:uuid:{self.r.getrandbits(32):08x}-0000-4000-8000-{self.n:012d}"

    def url(self, path: str = "x") -> str:
        host = self.r.choice(["a.example.fr", "b.example.org"])
        return f"https://{host}/{path}/{self.r.randint(0, 999)}"

    def date(self) -> str:
        return f"20{self.r.randint(10, 39)}-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}"

    def datetime(self) -> str:
        tail = self.r.choice(["Z", "+02:00", ".123Z", "-05:00"])
        return f"{self.date()}T{self.r.randint(0, 23):02d}:{self.r.randint(0, 59):02d}:00{tail}"

    def name(self, v2: bool) -> Any:
        if v2 and self.chance(0.25):
            langs = self.r.sample(["fr", "en", "ar", "uk", "FR-be", "en-GB"], self.r.randint(1, 3))
            return [{"@value": self.text(3), "@language": lang} for lang in langs]
        return self.text(3)

    def number(self) -> Any:
        return self.r.choice([*FLOATS, *INTS, True, False, "7.5", "12"])

    def maybe(self, d: dict[str, Any], key: str, value: Any, p: float = 0.5) -> None:
        if self.chance(p):
            d[key] = value

    def image(self) -> Any:
        if self.chance(0.5):
            return self.url("img")
        img: dict[str, Any] = {"id": self.url("img"), "type": "Image"}
        self.maybe(img, "caption", self.text())
        return img

    def address(self) -> dict[str, Any]:
        a: dict[str, Any] = {"type": ["Address"]}
        for key in ("addressCountry", "addressCountryCode", "addressRegion", "addressLocality",
                    "streetAddress", "postOfficeBoxNumber", "postalCode"):
            self.maybe(a, key, self.text(2))
        if self.chance(0.5):
            a["geo"] = {"type": "GeoCoordinates", "latitude": self.r.choice(FLOATS),
                        "longitude": self.r.choice([*FLOATS, *INTS])}
        return a

    def identifier_entry(self) -> dict[str, Any]:
        return {"type": "IdentifierEntry", "identifier": self.text(1),
                "identifierType": self.r.choice(["sourcedId", "systemId", "ext:Siret"])}

    def profile(self, v2: bool, depth: int = 0) -> Any:
        if self.chance(0.15):
            return self.url("issuers")
        p: dict[str, Any] = {"id": self.url("issuers"), "type": ["Profile"]}
        self.maybe(p, "name", self.name(v2), 0.9)
        for key in ("url", "phone", "description", "email", "givenName", "familyName",
                    "additionalName", "patronymicName", "honorificPrefix", "honorificSuffix",
                    "familyNamePrefix", "official"):
            self.maybe(p, key, self.url("p") if key == "url" else self.text(2), 0.3)
        self.maybe(p, "image", self.image(), 0.4)
        self.maybe(p, "dateOfBirth", self.date(), 0.2)
        self.maybe(p, "address", self.address(), 0.3)
        self.maybe(p, "otherIdentifier", [self.identifier_entry() for _ in range(2)], 0.3)
        if depth == 0:
            self.maybe(p, "parentOrg", self.profile(v2, 1), 0.2)
        if depth == 0 and self.chance(0.1):
            p["endorsement"] = [self.endorsement(v2)]
        return p

    def alignment(self) -> dict[str, Any]:
        a: dict[str, Any] = {"type": ["Alignment"], "targetName": self.text(2),
                             "targetUrl": self.url("case")}
        for key in ("targetCode", "targetDescription", "targetFramework"):
            self.maybe(a, key, self.text(2), 0.4)
        self.maybe(a, "targetType", self.r.choice(["CFItem", "ceterms:Credential", "ext:X"]), 0.6)
        return a

    def result_description(self) -> dict[str, Any]:
        rd: dict[str, Any] = {"id": self.urn(), "type": ["ResultDescription"],
                              "name": self.text(2),
                              "resultType": self.r.choice(["RubricCriterionLevel", "ext:Score"])}
        if self.chance(0.5):
            rd["allowedValue"] = [self.text(1) for _ in range(self.r.randint(0, 4))]
        if self.chance(0.5):
            rd["rubricCriterionLevel"] = [
                {"id": self.urn(), "type": ["RubricCriterionLevel"], "name": self.text(2),
                 "level": self.text(1), "points": str(self.r.randint(0, 9))}
                for _ in range(self.r.randint(1, 3))
            ]
        self.maybe(rd, "requiredLevel", self.urn(), 0.3)
        self.maybe(rd, "requiredValue", self.text(1), 0.3)
        self.maybe(rd, "valueMax", str(self.r.randint(10, 100)), 0.3)
        self.maybe(rd, "valueMin", "0", 0.3)
        return rd

    def achievement(self, v2: bool, ob: str) -> dict[str, Any]:
        a: dict[str, Any] = {
            "id": self.url("achievements"),
            "type": ["Achievement"],
            "name": self.name(v2),
            "description": self.text(6),
            "criteria": {"narrative": self.text(5)} if self.chance(0.7)
            else {"id": self.url("criteria"), "narrative": self.text(3)},
        }
        self.maybe(a, "achievementType", self.r.choice(["Competency", "Badge", "ext:Atelier"]))
        self.maybe(a, "alignment", [self.alignment() for _ in range(self.r.randint(1, 3))])
        self.maybe(a, "creator", self.profile(v2), 0.3)
        self.maybe(a, "creditsAvailable", self.r.choice(FLOATS + INTS), 0.3)
        self.maybe(a, "fieldOfStudy", self.text(2), 0.2)
        self.maybe(a, "humanCode", self.text(1), 0.2)
        self.maybe(a, "image", self.image(), 0.4)
        self.maybe(a, "otherIdentifier", [self.identifier_entry()], 0.2)
        self.maybe(a, "resultDescription", [self.result_description()
                                            for _ in range(self.r.randint(1, 2))], 0.4)
        self.maybe(a, "specialization", self.text(2), 0.2)
        self.maybe(a, "tag", [self.text(1) for _ in range(self.r.randint(1, 4))], 0.4)
        self.maybe(a, "version", str(self.r.randint(1, 9)), 0.2)
        if ob == OB[0]:
            self.maybe(a, "inLanguage", self.r.choice(["fr", "en", "ar"]), 0.3)
        if ob != OB[3]:
            self.maybe(a, "related", [{"id": self.url("achievements"), "type": ["Related"],
                                       "version": "2"}], 0.2)
        if self.chance(0.15):
            a["endorsement"] = [self.endorsement(v2) for _ in range(self.r.randint(1, 2))]
        return a

    def identity(self) -> dict[str, Any]:
        hashed = self.chance(0.7)
        return {"type": "IdentityObject", "hashed": hashed,
                "identityHash": ("sha256$" + f"{self.r.getrandbits(256):064x}") if hashed
                else f"personne{self.r.randint(0, 99)}@example.fr",
                "identityType": self.r.choice(["emailAddress", "name", "ext:Caf"]),
                **({"salt": self.text(1)} if self.chance(0.5) else {})}

    def result(self) -> dict[str, Any]:
        res: dict[str, Any] = {"type": ["Result"]}
        self.maybe(res, "resultDescription", self.urn(), 0.6)
        self.maybe(res, "achievedLevel", self.urn(), 0.4)
        self.maybe(res, "value", str(self.r.randint(0, 100)), 0.6)
        self.maybe(res, "status", self.r.choice(["Completed", "Enrolled", "OnHold"]), 0.4)
        self.maybe(res, "alignment", [self.alignment()], 0.2)
        return res

    def evidence(self) -> dict[str, Any]:
        e: dict[str, Any] = {"type": ["Evidence"]}
        self.maybe(e, "id", self.url("evidence"), 0.6)
        for key in ("narrative", "name", "description", "genre", "audience"):
            self.maybe(e, key, self.text(3), 0.5)
        return e

    def proof(self, chained: str | None = None) -> dict[str, Any]:
        p: dict[str, Any] = {
            "type": "DataIntegrityProof",
            "created": self.datetime(),
            "verificationMethod": self.url("issuers") + "#key-1",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": self.r.choice(["assertionMethod", "authentication"]),
            "proofValue": "z" + "".join(self.r.choice("123456789ABCDEFGH") for _ in range(40)),
        }
        if chained:
            p["id"] = self.urn()
            p["previousProof"] = chained
        self.maybe(p, "expires", self.datetime(), 0.1)
        self.maybe(p, "domain", self.url("d"), 0.1)
        self.maybe(p, "challenge", self.text(1), 0.1)
        self.maybe(p, "nonce", self.text(1), 0.1)
        return p

    def proofs(self) -> Any:
        first = self.proof()
        if self.chance(0.2):
            first["id"] = self.urn()
            return [first, self.proof(first["id"])]
        return first if self.chance(0.5) else [first]

    def contexts(self, v2: bool) -> tuple[list[str], str]:
        # OB 3.0.2 and older redefine VCDM 2.0's protected terms (pyld refuses: a few below)
        ob = OB[0] if v2 and self.chance(0.97) else self.r.choice(OB)
        ctx = [V2 if v2 else V1, ob]
        if not v2 and self.chance(0.5):
            ctx.append(DI_V2)
        if v2 and self.chance(0.2):
            ctx.append(EXTENSIONS)
        return ctx, ob

    def endorsement(self, v2: bool) -> dict[str, Any]:
        ctx, _ = self.contexts(v2)
        if not v2:
            ctx = [c for c in ctx if c != DI_V2] + [DI_V2]
        e: dict[str, Any] = {
            "@context": ctx,
            "id": self.urn(),
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": self.text(2),
            "issuer": self.profile(v2, 1),
            ("validFrom" if v2 else "issuanceDate"): self.datetime(),
            "credentialSubject": {"id": self.url("issuers"), "type": ["EndorsementSubject"],
                                  "endorsementComment": self.text(4)},
        }
        if self.chance(0.8):
            e["proof"] = self.proofs()
        return e

    def status(self, v2: bool) -> tuple[dict[str, Any], str | None]:
        if v2:
            return ({"id": self.url("status") + "#" + str(self.r.randint(0, 9999)),
                     "type": "BitstringStatusListEntry",
                     "statusPurpose": self.r.choice(["revocation", "suspension"]),
                     "statusListIndex": str(self.r.randint(0, 131071)),
                     "statusListCredential": self.url("status")}, None)
        return ({"id": self.url("status") + "#1", "type": "StatusList2021Entry",
                 "statusPurpose": "revocation", "statusListIndex": str(self.r.randint(0, 99)),
                 "statusListCredential": self.url("status")}, STATUS_2021)

    def credential(self) -> dict[str, Any]:
        v2 = self.chance(0.6)
        ctx, ob = self.contexts(v2)
        subject: dict[str, Any] = {"type": ["AchievementSubject"],
                                   "achievement": self.achievement(v2, ob)}
        self.maybe(subject, "id", self.r.choice([self.urn(), "did:example:" + str(self.n)]), 0.4)
        self.maybe(subject, "identifier", [self.identity() for _ in range(self.r.randint(1, 2))])
        self.maybe(subject, "result", [self.result() for _ in range(self.r.randint(1, 3))], 0.4)
        self.maybe(subject, "creditsEarned", self.r.choice(FLOATS + INTS), 0.2)
        self.maybe(subject, "activityStartDate", self.date(), 0.2)
        self.maybe(subject, "activityEndDate", self.date(), 0.2)
        self.maybe(subject, "licenseNumber", self.text(1), 0.1)
        self.maybe(subject, "role", self.text(1), 0.2)
        self.maybe(subject, "source", self.profile(v2, 1), 0.1)
        self.maybe(subject, "term", self.text(1), 0.1)
        self.maybe(subject, "image", self.image(), 0.1)
        cred: dict[str, Any] = {
            "@context": ctx,
            "id": self.urn(),
            "type": ["VerifiableCredential", self.r.choice(["OpenBadgeCredential",
                                                            "AchievementCredential"])],
            "issuer": self.profile(v2),
            "name": self.name(v2),
            "credentialSubject": subject,
        }
        if v2:
            cred["validFrom"] = self.datetime()
            self.maybe(cred, "validUntil", self.datetime(), 0.3)
        else:
            cred["issuanceDate"] = self.datetime()
            self.maybe(cred, "expirationDate", self.datetime(), 0.3)
        self.maybe(cred, "description", self.text(5), 0.5)
        if ob == OB[0]:
            self.maybe(cred, "awardedDate", self.datetime(), 0.4)
        self.maybe(cred, "image", self.image(), 0.3)
        self.maybe(cred, "evidence", [self.evidence() for _ in range(self.r.randint(1, 3))], 0.3)
        if self.chance(0.4):
            entry, extra = self.status(v2)
            cred["credentialStatus"] = entry
            if extra:  # before the OB context, whose protected terms it would redefine
                cred["@context"] = [ctx[0], extra, *ctx[1:]]
        self.maybe(cred, "credentialSchema", [{  # its type is a term under VCDM 2.0 only
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019"}], 0.02)
        self.maybe(cred, "endorsement", [self.endorsement(v2)], 0.15)
        self.maybe(cred, "proof", self.proofs(), 0.5)
        if "proof" in cred and not v2 and DI_V2 not in cred["@context"] and self.chance(0.95):
            cred["@context"] = [*cred["@context"], DI_V2]
        return cred

    def odd(self, cred: dict[str, Any]) -> dict[str, Any]:
        """A credential bent into something the fast path must hand to pyld."""
        kind = self.r.randint(0, 9)
        subject = cred["credentialSubject"]
        if kind == 0:
            subject["nonDefini"] = self.text(1)  # undefined under VCDM 1.1, @vocab under 2.0
        elif kind == 1:
            subject["achievement"]["image"] = "relative/image.png"
        elif kind == 2:
            cred["@context"] = [*cred["@context"], {"ex": "https://ex.example/#",
                                                    "motif": "ex:motif"}]
            cred["motif"] = self.text(2)
        elif kind == 3:
            cred["name"] = {"@value": self.text(2), "@language": "ar", "@direction": "rtl"}
        elif kind == 4:
            cred["@context"] = [*cred["@context"], {"noms": {"@id": "https://ex.example/#noms",
                                                             "@container": "@language"}}]
            cred["noms"] = {"fr": self.text(2), "en": [self.text(1), self.text(1)]}
        elif kind == 5:
            cred["@graph"] = [{"id": self.urn(), "name": self.text(1)}]
        elif kind == 6:
            subject["achievement"]["type"] = ["Achievement", "TypeInconnu"]
        elif kind == 7:
            subject["id"] = "_:moi"
            subject["source"] = {"id": "_:moi"}
        elif kind == 8:
            cred["issuer"] = {"id": self.url("issuers"), "type": "Profile",
                              "@reverse": {"https://ex.example/#r": {"id": self.urn()}}}
        else:
            twin = {"type": ["Alignment"], "targetName": "même", "targetUrl": "https://x.example/1"}
            # two identical blank nodes: the N-degree step
            subject["achievement"]["alignment"] = [dict(twin), dict(twin)]
        return cred


def corpus(seed: int, n: int, odd_share: float = 0.1) -> list[dict[str, Any]]:
    """``n`` credentials drawn from ``seed``; about ``odd_share`` bent to fall back."""
    gen = _Gen(random.Random(seed))
    out = []
    for _ in range(n):
        cred = gen.credential()
        if gen.chance(odd_share):
            cred = gen.odd(cred)
        out.append(cred)
    return out
