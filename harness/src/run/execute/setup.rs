//! The world of a plan at its start time: insurers, institutions, people with their cards,
//! 資格, registrations, portal accounts and records.

use super::*;

/// The scenario's world at its start time, as its `world:` section and includes describe it
/// (no step applied): what `onshi card insert` and `onshi serve` serve.
pub fn build_world(plan: &Plan, seed: u64) -> Result<World, String> {
    let mut cfg = WorldConfig::new(seed, &plan.id, plan.start);
    cfg.rules = plan.rules.clone();
    cfg.trace = true;
    cfg.reference_provider = true;
    let mut world = World::new(cfg);
    setup(&mut world, plan)?;
    Ok(world)
}

pub(crate) fn setup(w: &mut World, plan: &Plan) -> Result<(), String> {
    for (key, number, name, lag) in &plan.insurers {
        w.add_insurer(key, *number, name, *lag)
            .map_err(|e| e.to_string())?;
    }
    for (key, code, name, settings) in &plan.institutions {
        w.add_institution(key, *code, name, settings.clone())
            .map_err(|e| e.to_string())?;
    }
    for p in &plan.people {
        let id = w
            .add_person(p.spec.clone())
            .map_err(|e| format!("person `{}`: {e}", p.spec.key))?;
        if let Some(card) = &p.card {
            w.issue_card(id, card)
                .map_err(|e| format!("card of `{}`: {e}", p.spec.key))?;
        }
        for q in &p.quals {
            w.add_qualification(q.clone())
                .map_err(|e| format!("insurance of `{}`: {e}", p.spec.key))?;
        }
        if let Some(n) = &p.late_elderly_number {
            w.set_late_elderly_number(id, n.clone());
        }
        if let Some((at, channel)) = p.registered {
            w.register_for_insurance(id, channel, at)
                .map_err(|e| format!("registration of `{}`: {e}", p.spec.key))?;
        }
        if p.portal_account {
            w.apply(onshi_sim::world::Event::PortalAccount { person: id })
                .map_err(|e| format!("portal account of `{}`: {e}", p.spec.key))?;
        }
        for r in &p.records {
            w.apply(onshi_sim::world::Event::AddMedicalRecord {
                person: id,
                record: r.clone(),
            })
            .map_err(|e| format!("record of `{}`: {e}", p.spec.key))?;
        }
        for c in &p.checkups {
            w.apply(onshi_sim::world::Event::AddCheckup {
                person: id,
                checkup: c.clone(),
            })
            .map_err(|e| format!("checkup of `{}`: {e}", p.spec.key))?;
        }
    }
    // 75歳到達 by law (rules-tables §2.2): the world moves everyone at their 75th birthday.
    w.apply_age_law().map_err(|e| format!("75歳到達: {e}"))?;
    Ok(())
}
