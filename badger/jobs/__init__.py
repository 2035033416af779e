"""Job offers matched to validated competences: vouched-for employers, offers (posted or
imported from job boards), participants' opt-in, applications through a share link."""
