// The classic cart-pole balancing task (Barto, Sutton & Anderson 1983) with the physics and
// termination of Gym's CartPole-v1: explicit Euler steps of 0.02 s, the episode ends when the
// pole leans more than 12° or the cart leaves ±2.4, or after 500 steps. Reward 1 per step.

export const PHYSICS = { gravity: 9.8, massCart: 1.0, massPole: 0.1, halfLength: 0.5, force: 10, tau: 0.02 } as const;
export const LIMITS = { theta: (12 * 2 * Math.PI) / 360, x: 2.4, steps: 500 } as const;

const TOTAL_MASS = PHYSICS.massCart + PHYSICS.massPole;
const POLE_MASS_LENGTH = PHYSICS.massPole * PHYSICS.halfLength;

export class CartPole {
  /** x, ẋ, θ, θ̇ — the observation the policy sees. */
  readonly state = new Float64Array(4);
  steps = 0;

  /** Starts an episode from a state drawn uniformly from [−0.05, 0.05]⁴, as Gym does. */
  reset(random: () => number): Float64Array {
    for (let i = 0; i < 4; i++) this.state[i] = random() * 0.1 - 0.05;
    this.steps = 0;
    return this.state;
  }

  /** Pushes the cart left (0) or right (1) for one time step; `done` when the episode is over. */
  step(action: number): { reward: number; done: boolean } {
    const s = this.state;
    const [x, xDot, theta, thetaDot] = [s[0]!, s[1]!, s[2]!, s[3]!];
    const force = action === 1 ? PHYSICS.force : -PHYSICS.force;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
    const thetaAcc = (PHYSICS.gravity * sin - cos * temp) / (PHYSICS.halfLength * (4 / 3 - (PHYSICS.massPole * cos * cos) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    s[0] = x + PHYSICS.tau * xDot;
    s[1] = xDot + PHYSICS.tau * xAcc;
    s[2] = theta + PHYSICS.tau * thetaDot;
    s[3] = thetaDot + PHYSICS.tau * thetaAcc;
    this.steps++;
    const fell = Math.abs(s[0]!) > LIMITS.x || Math.abs(s[2]!) > LIMITS.theta;
    return { reward: 1, done: fell || this.steps >= LIMITS.steps };
  }
}

/** A small seeded generator (mulberry32) for start states and action sampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
