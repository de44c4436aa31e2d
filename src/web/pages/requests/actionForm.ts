/** One action form on a request's page: posts `action=<form>` to /console/requests/:id/action. */
import type { Html, html } from '../../../core/html.ts';
import { postForm } from '../../components/postForm.ts';

type Content = Parameters<typeof html>[1];

/** Builds the action forms of one request; `danger` marks an irreversible one (refuse). */
export type ActionFormOf = (action: string, label: string, fields?: Content, danger?: boolean) => Html;

export const actionFormsOf =
  (id: string): ActionFormOf =>
  (action, label, fields = '', danger = false) =>
    postForm({ action: `/console/requests/${id}/action`, hidden: { action }, fields, submit: label, danger });
