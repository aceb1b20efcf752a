// Categorical colours for runs on shared axes and for topics in the mix (Tableau 10, colour-blind aware).
export const CATEGORICAL = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
] as const;

export const categoryColor = (index: number): string => CATEGORICAL[index % CATEGORICAL.length];
