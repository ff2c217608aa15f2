"""Request handlers, grouped by concern; `cramp_coach.skill.build_skill` registers them."""
